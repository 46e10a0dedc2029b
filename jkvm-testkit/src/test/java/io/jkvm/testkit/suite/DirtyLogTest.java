package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.api.uapi.UserspaceMemoryRegion.KVM_MEM_LOG_DIRTY_PAGES;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.testkit.TestVm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** KVM_GET_DIRTY_LOG (seed 003 §4.8) over a KVM_MEM_LOG_DIRTY_PAGES slot: exact bits, cleared by the read. */
class DirtyLogTest {

    static final long SLOT_GPA = 0x1000000;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void guestWritesSetExactlyTheirPagesBits(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            MemorySegment mem = t.arena.allocate(70 * 4096, 4096);  // 70 pages: the bitmap spans two words
            t.vm.setUserMemoryRegion(1, KVM_MEM_LOG_DIRTY_PAGES, SLOT_GPA, mem);
            t.loadAsm("""
                    .code64
                        mov $0x1000000, %rbx
                        movb $1, (%rbx)             # page 0
                        movl $2, 0x3ffc(%rbx)       # page 3 (last dword of it)
                        mov 0x5000(%rbx), %rax      # page 5: read only
                        movq $3, 0xf008(%rbx)       # page 15
                        movw $4, 0x44000(%rbx)      # page 68, second bitmap word
                        hlt
                        movb $5, 0x7000(%rbx)       # page 7, after the first read of the log
                        hlt
                    """);
            t.longMode(cpu, TestVm.CODE);
            mem.set(ValueLayout.JAVA_BYTE, 9 * 4096, (byte) 1);  // a write by the VMM is not the guest's: not logged

            runTo(VcpuExit.Hlt.class, cpu);
            long[] bits = new long[2];
            t.vm.getDirtyLog(1, bits);
            assertEquals(1L << 0 | 1L << 3 | 1L << 15, bits[0], "pages 0, 3, 15: " + Long.toBinaryString(bits[0]));
            assertEquals(1L << (68 - 64), bits[1], "page 68");
            assertEquals(2, mem.get(ValueLayout.JAVA_INT, 0x3ffc), "the write itself landed");

            t.vm.getDirtyLog(1, bits);
            assertArrayEquals(new long[2], bits, "reading the log cleared it");

            runTo(VcpuExit.Hlt.class, cpu);
            t.vm.getDirtyLog(1, bits);
            assertArrayEquals(new long[] {1L << 7, 0}, bits, "only the page written since the last read");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void misuse(String backend) {
        try (TestVm t = vm(backend)) {
            MemorySegment mem = t.arena.allocate(0x10000, 4096);
            t.vm.setUserMemoryRegion(1, KVM_MEM_LOG_DIRTY_PAGES, SLOT_GPA, mem);
            assertErrno(ENOENT, () -> t.vm.getDirtyLog(0, new long[16]));      // a slot without logging
            assertErrno(ENOENT, () -> t.vm.getDirtyLog(7, new long[1]));       // a slot id never used
            assertErrno(EINVAL, () -> t.vm.getDirtyLog(0x8000, new long[1]));  // beyond the slot ids
            // 16 pages need 1 word; none given: the bitmap cannot hold the slot (the kernel would fault writing it).
            assertErrno(EFAULT, () -> t.vm.getDirtyLog(1, new long[0]));
        }
    }
}
