package io.jkvm.testkit.suite;

import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.UserspaceMemoryRegion;
import io.jkvm.testkit.TestVm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KVM_EXIT_MMIO (seed 003 §5): guest accesses to guest-physical addresses no slot backs, and writes to a
 * KVM_MEM_READONLY slot. A read completes on the next run() with the data the caller put in kvm_run.
 */
class MmioTest {

    static final long HOLE = 0x3000_0000L;  // inside the 1 GiB identity map, far above the 4 MiB of RAM

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void readsOfEverySizeCompleteWithCallerData(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                        mov $0x30000000, %rbx
                        movzbl 1(%rbx), %eax
                        out %eax, $0x10
                        movzwl 2(%rbx), %eax
                        out %eax, $0x10
                        movl 4(%rbx), %eax
                        out %eax, $0x10
                        mov 8(%rbx), %rax
                        out %eax, $0x10
                        shr $32, %rax
                        out %eax, $0x10
                        hlt
                    """);
            t.longMode(cpu, TestVm.CODE);
            long[][] reads = {{1, 1, 0xa5}, {2, 2, 0xbeef}, {4, 4, 0xcafef00d}, {8, 8, 0x0123456789abcdefL}};
            for (long[] r : reads) {
                VcpuExit.Mmio m = runTo(VcpuExit.Mmio.class, cpu);
                assertFalse(m.is_write(), "read: " + m);
                assertEquals(HOLE + r[0], m.phys_addr());
                assertEquals(r[1], m.len());
                m.data(r[2]);
                if (r[1] < 8) {
                    assertEquals((int) r[2], expectOut(cpu, 0x10, 4), "the read completed with the caller's data");
                } else {
                    assertEquals(0x89abcdef, expectOut(cpu, 0x10, 4));
                    assertEquals(0x01234567, expectOut(cpu, 0x10, 4));
                }
            }
            runTo(VcpuExit.Hlt.class, cpu);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void writesOfEverySize(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                        mov $0x30000000, %rbx
                        movb $0x5a, 0x10(%rbx)
                        movw $0x1234, 0x12(%rbx)
                        movl $0xdeadbeef, 0x14(%rbx)
                        movabs $0x1122334455667788, %rax
                        mov %rax, 0x18(%rbx)
                        hlt
                    """);
            t.longMode(cpu, TestVm.CODE);
            long[][] writes = {{0x10, 1, 0x5a}, {0x12, 2, 0x1234}, {0x14, 4, 0xdeadbeefL}, {0x18, 8, 0x1122334455667788L}};
            for (long[] w : writes) {
                VcpuExit.Mmio m = runTo(VcpuExit.Mmio.class, cpu);
                assertTrue(m.is_write(), "write: " + m);
                assertEquals(HOLE + w[0], m.phys_addr());
                assertEquals(w[1], m.len());
                long mask = w[1] == 8 ? -1L : (1L << (8 * w[1])) - 1;
                assertEquals(w[2], m.data() & mask, "the low len bytes of mmio.data");
            }
            runTo(VcpuExit.Hlt.class, cpu);
        }
    }

    /**
     * One instruction that writes far more than 8 bytes to MMIO — FXSAVE's 512-byte image — leaves as a run of
     * KVM_EXIT_MMIO writes of at most 8 bytes each, covering the image (bytes 0-415; 416-463 are reserved,
     * 464-511 are the software's and never written) exactly once, with the bytes
     * the instruction stores (XMM0 at offset 160) — as KVM's instruction emulator splits it into fragments.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void fxsaveToMmioIsSplitIntoWritesOfAtMostEightBytes(String backend) {
        // Seen on PVM: the FXSAVE's MMIO fault reaches an emulator that does not know the instruction, and the
        // guest gets an exception (no IDT here: KVM_EXIT_SHUTDOWN) instead of the MMIO writes.
        skipOnPvm(backend, "FXSAVE to MMIO is not emulated (the guest takes an exception)");
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                        movabs $0x0123456789abcdef, %rax
                        movq %rax, %xmm0
                        pinsrq $1, %rax, %xmm0
                        mov $0x30000000, %rbx
                        fxsave64 (%rbx)
                        out %al, $0x10
                    1:  jmp 1b
                    """);
            t.longMode(cpu, TestVm.CODE);
            cpu.setSregs(cpu.getSregs().with(b -> b.cr4 |= io.jkvm.api.x86.Cr.X86_CR4_OSFXSR));
            t.userMode(cpu);
            byte[] image = new byte[512];
            boolean[] seen = new boolean[512];
            VcpuExit e;
            while ((e = run(cpu)) instanceof VcpuExit.Mmio m) {
                assertTrue(m.is_write(), "FXSAVE only writes: " + m);
                assertTrue(m.len() >= 1 && m.len() <= 8, "at most 8 bytes per exit: " + m);
                for (int k = 0; k < m.len(); k++) {
                    int off = (int) (m.phys_addr() - HOLE) + k;
                    assertTrue(off >= 0 && off < 464, "inside the image, not in the software-available bytes 464-511: " + m);
                    assertFalse(seen[off], "byte " + off + " written once");
                    seen[off] = true;
                    image[off] = (byte) (m.data() >>> (8 * k));
                }
            }
            for (int off = 0; off < 416; off++) assertTrue(seen[off], "byte " + off + " of the x87/SSE image written");
            assertEquals(0x10, expect(VcpuExit.Io.class, e).port(), "then the instruction completed");
            MemorySegment img = MemorySegment.ofArray(image);
            assertEquals(0x0123456789abcdefL, img.get(ValueLayout.JAVA_LONG_UNALIGNED, 160), "XMM0 low");
            assertEquals(0x0123456789abcdefL, img.get(ValueLayout.JAVA_LONG_UNALIGNED, 168), "XMM0 high");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void readInProtectedMode(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code32
                        mov 0xd0000000, %eax
                        out %eax, $0x10
                        hlt
                    """);
            t.protectedMode(cpu, TestVm.CODE);
            VcpuExit.Mmio m = runTo(VcpuExit.Mmio.class, cpu);
            assertEquals(0xd0000000L, m.phys_addr());
            assertEquals(4, m.len());
            assertFalse(m.is_write());
            m.data(0x600dcafe);
            assertEquals(0x600dcafe, expectOut(cpu, 0x10, 4));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void readonlySlotReadsMemoryAndExitsOnWrite(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            MemorySegment rom = t.arena.allocate(4096, 4096);
            rom.set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L);
            t.vm.setUserMemoryRegion(1, UserspaceMemoryRegion.KVM_MEM_READONLY, 0x2000000, rom);
            t.loadAsm("""
                    .code64
                        mov $0x2000000, %rbx
                        mov (%rbx), %rax            # a read: served from the slot, no exit
                        out %eax, $0x10
                        movl $0xfeedface, 8(%rbx)   # a write: KVM_EXIT_MMIO, memory unchanged
                        mov 8(%rbx), %rax
                        out %eax, $0x10
                        hlt
                    """);
            t.longMode(cpu, TestVm.CODE);
            assertEquals(0x55667788, expectOut(cpu, 0x10, 4));
            VcpuExit.Mmio m = runTo(VcpuExit.Mmio.class, cpu);
            assertTrue(m.is_write());
            assertEquals(0x2000008L, m.phys_addr());
            assertEquals(4, m.len());
            assertEquals(0xfeedfaceL, m.data() & 0xffffffffL);
            assertEquals(0, expectOut(cpu, 0x10, 4), "the write did not reach the read-only memory");
            assertEquals(0, rom.get(ValueLayout.JAVA_LONG, 8));
            runTo(VcpuExit.Hlt.class, cpu);
        }
    }
}
