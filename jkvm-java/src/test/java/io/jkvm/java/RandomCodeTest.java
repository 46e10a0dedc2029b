package io.jkvm.java;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.Dtable;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.Segment;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.x86.exec.Interpreter;
import io.jkvm.x86.jit.Jit;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Random bytes as code, in every CPU mode: each run must end in an exit (a guest exception shows up as
 * the guest running on; a kick ends a guest that spins) — never a Java exception out of run(), never a
 * hang, never an INTERNAL_ERROR caused by a jkvm defect (only by unimplemented features).
 */
class RandomCodeTest {
    enum CpuMode { REAL, PROT32, LONG64, LONG64_CPL3 }

    static final int PROGRAMS = Integer.getInteger("jkvm.random.programs", 300);

    @ParameterizedTest(name = "{0}")
    @EnumSource(CpuMode.class)
    void randomCodeNeverBreaksTheHost(CpuMode mode) throws Exception {
        SplittableRandom rnd = new SplittableRandom(0x5eed + mode.ordinal());
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kicker");
            t.setDaemon(true);
            return t;
        });
        int internal = 0, kicked = 0;
        java.util.Map<String, Integer> reasons = new java.util.TreeMap<>();
        try (Kvm kvm = Kvm.open("java")) {
            for (int p = 0; p < PROGRAMS; p++) {
                try (Vm vm = kvm.createVm(); Arena arena = Arena.ofConfined()) {
                    MemorySegment ram = arena.allocate(1 << 20, 4096);
                    byte[] junk = new byte[1 << 20];
                    rnd.nextBytes(junk);
                    MemorySegment.copy(junk, 0, ram, ValueLayout.JAVA_BYTE, 0, junk.length);
                    vm.setUserMemoryRegion(0, 0, 0, ram);
                    Vcpu cpu = vm.createVcpu(0);
                    setUp(cpu, ram, mode, rnd);
                    var kick = watchdog.schedule(cpu::kick, 200, TimeUnit.MILLISECONDS);
                    for (int e = 0; e < 64; e++) {
                        VcpuExit exit;
                        try {
                            exit = cpu.run();
                        } catch (RuntimeException ex) {
                            throw new AssertionError("run() threw on program " + p + " in " + mode, ex);
                        }
                        if (exit instanceof VcpuExit.InternalError) {
                            String why = ((JavaVcpu) cpu).lastInternalError;
                            assertFalse(why != null && why.startsWith(Interpreter.BUG_PREFIX),
                                    "program " + p + " in " + mode + ": " + why);
                            assertTrue(exit.run().internal_ndata() >= 4, "INTERNAL_ERROR carries RIP and bytes");
                            internal++;
                            reasons.merge(why == null ? "?" : why.replaceAll("[0-9a-f]{4,}", "#"), 1, Integer::sum);
                            break;
                        }
                        if (exit instanceof VcpuExit.Intr) {
                            kicked++;
                            break;
                        }
                        if (exit instanceof VcpuExit.Shutdown || exit instanceof VcpuExit.Hlt) break;
                        if (!(exit instanceof VcpuExit.Io || exit instanceof VcpuExit.Mmio)) fail("unexpected " + exit);
                    }
                    kick.cancel(false);
                }
            }
        } finally {
            watchdog.shutdownNow();
        }
        System.out.printf("random code %s: %d programs, %d ended by INTERNAL_ERROR (unimplemented), %d by kick, %d blocks compiled so far%n",
                mode, PROGRAMS, internal, kicked, Jit.compiledBlocks());
        reasons.forEach((k, v) -> System.out.println("  " + v + " × " + k));
        assertTrue(Jit.failures() == 0, "the block compiler failed on some block (see stderr)");
        // under -Djkvm.jit.threshold=0 (the forced-jit test run) every block is compiled before it runs
        if (Jit.enabled() && Jit.threshold() == 0) assertTrue(Jit.compiledBlocks() > 0, "forced compilation compiled nothing");
    }

    private static void setUp(Vcpu cpu, MemorySegment ram, CpuMode mode, SplittableRandom rnd) {
        Sregs s = cpu.getSregs();
        long rip = rnd.nextInt(0xf000);
        switch (mode) {
            case REAL -> s = s.with(b -> {
                b.cs = new Segment(0, 0xffff, 0, 0xb, 1, 0, 0, 1, 0, 0, 0, 0, 0);
                b.idt = new Dtable(rnd.nextInt(0x10000), 0x3ff);
            });
            case PROT32 -> s = s.with(b -> {
                b.cs = new Segment(0, 0xffffffff, 0x08, 0xb, 1, 0, 1, 1, 0, 1, 0, 0, 0);
                b.allData(new Segment(0, 0xffffffff, 0x10, 0x3, 1, 0, 1, 1, 0, 1, 0, 0, 0));
                b.gdt = new Dtable(rnd.nextInt(0x10000), 0xffff);
                b.idt = new Dtable(rnd.nextInt(0x10000), 0x7ff);
                b.cr0 = 0x11;
            });
            case LONG64, LONG64_CPL3 -> {
                // identity-map the first 1 GiB with 2 MiB pages at 0x80000 (the rest of RAM stays random)
                ram.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x80000, 0x81000 | 7);
                ram.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x81000, 0x82000 | 7);
                for (int i = 0; i < 512; i++) ram.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x82000 + 8L * i, ((long) i << 21) | 0x87);
                int dpl = mode == CpuMode.LONG64_CPL3 ? 3 : 0;
                s = s.with(b -> {
                    b.cs = new Segment(0, 0xffffffff, 0x08 | dpl, 0xb, 1, dpl, 0, 1, 1, 1, 0, 0, 0);
                    b.allData(new Segment(0, 0xffffffff, 0x10 | dpl, 0x3, 1, dpl, 1, 1, 0, 1, 0, 0, 0));
                    b.gdt = new Dtable(rnd.nextInt(0x10000), 0xffff);
                    b.idt = new Dtable(rnd.nextInt(0x10000), 0xfff);
                    b.cr0 = 0x80000011L;
                    b.cr3 = 0x80000;
                    b.cr4 = 0x20;
                    b.efer = 0x500;
                });
            }
        }
        cpu.setSregs(s);
        long[] r = new long[18];
        for (int k = 0; k < 16; k++) r[k] = rnd.nextLong() & (mode == CpuMode.REAL ? 0xffff : -1L);
        r[6] = 0x8000;
        r[16] = rip;
        r[17] = 0x2 | (rnd.nextInt() & 0xcd5);
        cpu.setRegs(Regs.fromArray(r));
    }
}
