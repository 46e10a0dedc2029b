package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.api.uapi.UserspaceMemoryRegion.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.UserspaceMemoryRegion;
import io.jkvm.testkit.TestVm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** KVM_SET_USER_MEMORY_REGION (seed 003 §4.35): create, move, delete, flags; and every documented misuse. */
class MemorySlotsTest {

    static final String READ_TWICE = """
            .code64
                mov $0x1000000, %rbx
                mov (%rbx), %eax
                out %eax, $0x10         # 1: the slot at 16 MiB
                mov (%rbx), %eax
                out %eax, $0x10         # 2: after the test moved/deleted it
                mov $0x1800000, %rbx
                mov (%rbx), %eax
                out %eax, $0x10         # 3: the slot's new place
                hlt
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void movedSlotIsSeenAtItsNewAddress(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            MemorySegment mem = t.arena.allocate(0x10000, 4096);
            mem.set(ValueLayout.JAVA_INT, 0, 0x51075107);
            t.vm.setUserMemoryRegion(1, 0, 0x1000000, mem);
            t.loadAsm(READ_TWICE);
            t.longMode(cpu, TestVm.CODE);
            assertEquals(0x51075107, expectOut(cpu, 0x10, 4));

            t.vm.setUserMemoryRegion(1, 0, 0x1800000, mem);  // same slot, same size: a move
            VcpuExit.Mmio m = runTo(VcpuExit.Mmio.class, cpu);
            assertEquals(0x1000000L, m.phys_addr(), "the old place is a hole now");
            m.data(0x77);
            assertEquals(0x77, expectOut(cpu, 0x10, 4));
            assertEquals(0x51075107, expectOut(cpu, 0x10, 4), "same memory, new guest-physical address");
            runTo(VcpuExit.Hlt.class, cpu);
        }
    }

    /**
     * Code in a slot whose memory is replaced (delete, then the same range backed by other memory) runs the
     * new memory's bytes, even on a path the vCPU has run before: no decoded code may outlive its slot.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void codeInAReplacedSlotRunsTheNewMemory(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            byte[] loop = io.jkvm.testkit.Gas.assemble("""
                    .code64
                    1:  mov $0x11, %eax
                        jmp 2f
                    2:  out %eax, $0x10
                        jmp 1b
                    """, 0x1000000);
            MemorySegment first = t.arena.allocate(0x1000, 4096), second = t.arena.allocate(0x1000, 4096);
            MemorySegment.copy(loop, 0, first, ValueLayout.JAVA_BYTE, 0, loop.length);
            MemorySegment.copy(loop, 0, second, ValueLayout.JAVA_BYTE, 0, loop.length);
            second.set(ValueLayout.JAVA_BYTE, 1, (byte) 0x22);            // the second copy loads 0x22
            t.vm.setUserMemoryRegion(1, 0, 0x1000000, first);
            t.loadAsm(".code64\n jmp 0x1000000\n");
            t.longMode(cpu, TestVm.CODE);
            for (int k = 0; k < 3; k++) assertEquals(0x11, expectOut(cpu, 0x10, 4));
            t.vm.setUserMemoryRegion(1, 0, 0x1000000, null);
            t.vm.setUserMemoryRegion(1, 0, 0x1000000, second);
            for (int k = 0; k < 3; k++) assertEquals(0x22, expectOut(cpu, 0x10, 4), "the replacement memory's code");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void deletedSlotBecomesMmioAndTheIdIsReusable(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            MemorySegment mem = t.arena.allocate(0x10000, 4096), other = t.arena.allocate(0x1000, 4096);
            mem.set(ValueLayout.JAVA_INT, 0, 0xdead0001);
            other.set(ValueLayout.JAVA_INT, 0, 0xbeef0002);
            t.vm.setUserMemoryRegion(1, 0, 0x1000000, mem);
            t.loadAsm(READ_TWICE);
            t.longMode(cpu, TestVm.CODE);
            assertEquals(0xdead0001, expectOut(cpu, 0x10, 4));

            t.vm.setUserMemoryRegion(1, 0, 0x1000000, null);  // memory_size 0: delete
            VcpuExit.Mmio m = runTo(VcpuExit.Mmio.class, cpu);
            assertEquals(0x1000000L, m.phys_addr());
            m.data(0x99);
            assertEquals(0x99, expectOut(cpu, 0x10, 4));
            t.vm.setUserMemoryRegion(1, 0, 0x1800000, other);  // the id is free again, with another size
            assertEquals(0xbeef0002, expectOut(cpu, 0x10, 4));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void flagsChangeAndAdjacentSlots(String backend) {
        try (TestVm t = vm(backend)) {
            MemorySegment a = t.arena.allocate(0x4000, 4096), b = t.arena.allocate(0x4000, 4096);
            t.vm.setUserMemoryRegion(1, 0, 0x1000000, a);
            t.vm.setUserMemoryRegion(2, 0, 0x1004000, b);                  // touching, not overlapping
            t.vm.setUserMemoryRegion(1, KVM_MEM_LOG_DIRTY_PAGES, 0x1000000, a); // logging on
            t.vm.getDirtyLog(1, new long[1]);
            t.vm.setUserMemoryRegion(1, 0, 0x1000000, a);                  // and off again
            assertErrno(ENOENT, () -> t.vm.getDirtyLog(1, new long[1]));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void misuse(String backend) {
        try (TestVm t = vm(backend)) {
            Vm vm = t.vm;
            MemorySegment mem = t.arena.allocate(0x10000, 4096), other = t.arena.allocate(0x10000, 4096);
            vm.setUserMemoryRegion(1, 0, 0x1000000, mem);

            assertErrno(EEXIST, () -> vm.setUserMemoryRegion(2, 0, 0x1008000, other));   // overlaps the tail
            assertErrno(EEXIST, () -> vm.setUserMemoryRegion(2, 0, 0x0ff8000, other));   // overlaps the head
            assertErrno(EEXIST, () -> vm.setUserMemoryRegion(2, 0, 0x1000000, other));   // same range
            assertErrno(EEXIST, () -> vm.setUserMemoryRegion(2, 0, 0x0, other));         // RAM slot 0
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(2, 0, 0x2000100, other));   // gpa not page aligned
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(2, 0, 0x2000000, other.asSlice(0, 4000)));  // size
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(2, 0, 0x2000000, other.asSlice(16, 4096))); // hva
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(2, 0x80, 0x2000000, other));               // flags
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(1, 0, 0x1000000, mem.asSlice(0, 0x8000))); // resize
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(1, KVM_MEM_READONLY, 0x1000000, mem));     // RO is fixed at creation
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(9, 0, 0x3000000, null));   // delete a slot that does not exist
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(2, 0, 1L << 52, other));    // beyond any physical address
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(2, 0, -0x1000L, other));    // wraps around

            // Slot ids: [0, KVM_CAP_NR_MEMSLOTS) in address space 0 (bits 31:16 of the slot field).
            int nr = t.kvm.checkExtension(Cap.KVM_CAP_NR_MEMSLOTS);
            assertTrue(nr > 2, "KVM_CAP_NR_MEMSLOTS " + nr);
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(nr, 0, 0x2000000, other));
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(0xffff, 0, 0x2000000, other));
            if (vm.checkExtension(Cap.KVM_CAP_MULTI_ADDRESS_SPACE) <= 1)
                assertErrno(EINVAL, () -> vm.setUserMemoryRegion(1 << 16 | 2, 0, 0x2000000, other));
            vm.setUserMemoryRegion(nr - 1, 0, 0x2000000, other);  // the last valid id works

            // Through the raw struct: a userspace_addr that is not canonical.
            assertErrno(EINVAL, () -> vm.setUserMemoryRegion(new UserspaceMemoryRegion(3, 0, 0x4000000, 4096, 0x8000_0000_0000_0000L)));
        }
    }
}
