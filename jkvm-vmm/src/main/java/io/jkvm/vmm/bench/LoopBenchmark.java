package io.jkvm.vmm.bench;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.Dtable;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.Segment;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code jkvm bench loop}: guest instructions per second of the java backend on {@link LoopGuest}, and of
 * QEMU's TCG on the very same image when qemu-system-x86_64 is installed. The java side enters the image as a
 * multiboot loader would (32-bit flat protected mode at its entry); QEMU boots it with {@code -kernel}. QEMU's
 * time is its whole run minus that of a run of the same image with one iteration (its start-up).
 */
public final class LoopBenchmark {
    private LoopBenchmark() {}

    /** Seconds the java backend takes for {@code iterations} (one timed run after {@code warmups} shorter ones). */
    public static double javaSeconds(String backend, int iterations) {
        try (Kvm kvm = Kvm.open(backend); Vm vm = kvm.createVm(); Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(4 << 20, 4096);
            vm.setUserMemoryRegion(0, 0, 0, ram);
            try (Vcpu cpu = vm.createVcpu(0)) {
                runOnce(cpu, ram, Math.max(1, iterations / 20));   // JIT warm-up
                runOnce(cpu, ram, Math.max(1, iterations / 20));
                long t0 = System.nanoTime();
                runOnce(cpu, ram, iterations);
                return (System.nanoTime() - t0) / 1e9;
            }
        }
    }

    private static void runOnce(Vcpu cpu, MemorySegment ram, int iterations) {
        byte[] img = LoopGuest.image(iterations);
        MemorySegment.copy(img, 0, ram, ValueLayout.JAVA_BYTE, LoopGuest.LOAD, img.length);
        long gdt = 0x1000;
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, gdt + 0x10, 0x00cf9b000000ffffL);   // flat 32-bit code
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, gdt + 0x18, 0x00cf93000000ffffL);   // flat data
        Segment code = new Segment(0, 0xffffffff, 0x10, 0xb, 1, 0, 1, 1, 0, 1, 0, 0, 0);
        Segment data = new Segment(0, 0xffffffff, 0x18, 0x3, 1, 0, 1, 1, 0, 1, 0, 0, 0);
        cpu.setSregs(cpu.getSregs().with(s -> {
            s.cs = code;
            s.allData(data);
            s.gdt = new Dtable(gdt, 0x1f);
            s.cr0 = 0x11;
        }));
        cpu.setRegs(Regs.ZERO.withRip(LoopGuest.ENTRY).withRax(0x2BADB002).withRsp(0x8000));
        VcpuExit e = cpu.run();
        if (!(e instanceof VcpuExit.Io io) || io.port() != 0xf4)
            throw new IllegalStateException("the loop guest should end at isa-debug-exit, not " + e);
    }

    /** Null when qemu-system-x86_64 runs here, else why not. */
    public static String qemuUnavailable() {
        try {
            Process p = new ProcessBuilder("qemu-system-x86_64", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "qemu-system-x86_64 --version failed";
        } catch (IOException e) {
            return "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Wall seconds of QEMU TCG running the image with {@code iterations}. */
    public static double qemuSeconds(int iterations) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jkvm-bench-loop");
        Path img = dir.resolve("loop.mb");
        try {
            Files.write(img, LoopGuest.image(iterations));
            List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-M", "pc", "-m", "64",
                    "-kernel", img.toString(), "-device", "isa-debug-exit,iobase=0xf4,iosize=1",
                    "-display", "none", "-nodefaults", "-no-reboot", "-serial", "none", "-monitor", "none"));
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("qemu did not finish in 600 s");
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (p.exitValue() != 1) throw new IOException("qemu exited " + p.exitValue() + " (expected 1 from isa-debug-exit): " + new String(output));
            return secs;
        } finally {
            Files.deleteIfExists(img);
            Files.deleteIfExists(dir);
        }
    }
}
