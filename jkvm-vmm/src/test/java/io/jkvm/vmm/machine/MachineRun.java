package io.jkvm.vmm.machine;

import io.jkvm.vmm.Builder;
import io.jkvm.vmm.ConsoleIo;
import io.jkvm.vmm.Machine;
import io.jkvm.vmm.MachineConfig;
import io.jkvm.vmm.MachineExit;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Duration;

/** One run of a machine in a test: the machine (still open, for memory reads), its exit and console output. */
record MachineRun(Machine machine, MachineExit exit, String console) implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    static MachineRun run(MachineConfig config, InputStream in) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Machine m = Builder.build(config, new ConsoleIo(out, in));
        m.start();
        MachineExit e = m.awaitExit(TIMEOUT);
        return new MachineRun(m, e, out.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    int u32(long gpa) {
        return machine.memory().u32(gpa);
    }

    @Override
    public void close() {
        machine.close();
    }

    @Override
    public String toString() {
        return exit + " console=\"" + console + "\"";
    }
}
