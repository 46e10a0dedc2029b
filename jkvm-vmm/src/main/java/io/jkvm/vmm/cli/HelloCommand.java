package io.jkvm.vmm.cli;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.Regs;
import io.jkvm.vmm.guest.HelloGuest;
import io.jkvm.vmm.guest.RealModeMachine;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jkvm hello}: runs {@link HelloGuest} and prints what it wrote to port 0xe9. Success is exactly
 * one way out: KVM_EXIT_HLT after OUTs to that port only; anything else (another exit, another port, a
 * guest that never halts) is a failure that names the exit and the guest's RIP.
 */
@Command(name = "hello", mixinStandardHelpOptions = true,
        description = "Runs a built-in real-mode guest that prints a greeting through port I/O and halts.")
final class HelloCommand implements Callable<Integer> {
    /** The guest needs one exit per byte at most, plus its HLT; more means it is running away. */
    private static final int MAX_EXITS = 4 * HelloGuest.GREETING.length() + 16;

    @Mixin
    BackendOption backend;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Kvm kvm = backend.open(); RealModeMachine m = RealModeMachine.create(kvm, HelloGuest.image())) {
            byte[] written = runToHalt(m.vcpu());
            out.print(new String(written, StandardCharsets.ISO_8859_1));
            out.flush();
        }
        return 0;
    }

    /** Collects the guest's OUTs to port 0xe9 until KVM_EXIT_HLT; {@link CliFailure} for anything else. */
    static byte[] runToHalt(Vcpu cpu) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        for (int i = 0; i < MAX_EXITS; i++) {
            switch (cpu.run()) {
                case VcpuExit.Io io when io.isOut() && io.port() == HelloGuest.PORT ->
                        console.writeBytes(io.data().toArray(ValueLayout.JAVA_BYTE));
                case VcpuExit.Hlt _ -> {
                    return console.toByteArray();
                }
                case VcpuExit.Intr _ -> { }  // nobody kicks this vCPU, but a kick is no reason to fail
                case VcpuExit other ->
                        throw new CliFailure("guest stopped unexpectedly: " + ExitText.describe(other) + at(cpu));
            }
        }
        throw new CliFailure("guest did not halt after " + MAX_EXITS + " exits" + at(cpu));
    }

    private static String at(Vcpu cpu) {
        Regs r = cpu.getRegs();
        return String.format(" (rip=%#x)", r.rip());
    }
}
