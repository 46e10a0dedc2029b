package io.jkvm.testkit.suite;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.Regs;
import io.jkvm.testkit.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The API example of README.md, kept true: {@link #example} holds the README's code block line for line
 * (checked against the file), and running it prints what the README promises.
 */
class ReadmeExampleTest {

    static void example(PrintStream System_out) {
        // README-BEGIN
        try (Kvm kvm = Kvm.open("java");                 // or "linux", or "auto"
             Vm vm = kvm.createVm();
             Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(1 << 20, 4096);
            ram.copyFrom(MemorySegment.ofArray(new byte[] {(byte) 0xe6, 0x10, (byte) 0xf4}));  // out %al,$0x10; hlt
            vm.setUserMemoryRegion(0, 0, 0, ram);        // KVM_SET_USER_MEMORY_REGION: slot 0 at guest-physical 0
            try (Vcpu cpu = vm.createVcpu(0)) {          // KVM_CREATE_VCPU
                cpu.setSregs(cpu.getSregs().with(s -> s.cs = s.cs.withSelector(0).withBase(0)));
                cpu.setRegs(Regs.ZERO.withRip(0));
                while (true) {
                    switch (cpu.run()) {                 // KVM_RUN; exits are sealed views over kvm_run
                        case VcpuExit.Io io when io.isOut() -> System_out.println("port " + io.port() + ": " + io.value());
                        case VcpuExit.Hlt h -> { return; }
                        case VcpuExit exit -> throw new IllegalStateException("unexpected " + exit);
                    }
                }
            }
        }
        // README-END
    }

    /** The lines between the markers above, without their indentation, with System_out as System.out. */
    static String exampleSource() throws Exception {
        String src = Files.readString(Path.of("src/test/java/io/jkvm/testkit/suite/ReadmeExampleTest.java"));
        String body = src.substring(src.indexOf("// README-BEGIN\n") + 16, src.indexOf("        // README-END"));
        return body.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .map(l -> l.replace("System_out", "System.out")).collect(Collectors.joining("\n"));
    }

    @Test
    void readmeShowsThisExample() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains("```java\n" + exampleSource() + "\n```"),
                "README.md's API example differs from ReadmeExampleTest.example:\n" + exampleSource());
    }

    @Test
    void theExampleRunsAndPrintsThePortWrite() {
        Backends.assumeAvailable("java");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        example(new PrintStream(out, true));
        assertEquals("port 16: 0\n", out.toString().replace("\r", ""), "AL is 0 at reset; OUT to port 0x10");
    }
}
