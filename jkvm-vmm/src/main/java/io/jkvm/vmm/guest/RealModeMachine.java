package io.jkvm.vmm.guest;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.Segment;
import io.jkvm.api.uapi.Sregs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The smallest machine a built-in guest needs: one vCPU in 16-bit real mode and {@link #RAM_SIZE} bytes of
 * RAM at guest-physical 0 (slot 0), with the guest's code at {@link #CODE_GPA}.
 *
 * <p>The set-up is the classic one of the KVM API's own examples and of {@code src/main/c/exit_latency.c}:
 * KVM_GET_SREGS, then CS base and selector 0 (the reset state has CS.base = 0xffff0000), KVM_SET_SREGS;
 * KVM_SET_REGS with RIP = {@link #CODE_GPA}, RFLAGS = 2. Real mode keeps the guest tiny, and the same bytes
 * run on every backend. The other segments keep their reset state: selector 0, base 0, limit 0xffff.
 */
public final class RealModeMachine implements AutoCloseable {
    public static final long RAM_SIZE = 0x10000;
    public static final long CODE_GPA = 0x1000;

    private final Vm vm;
    private final Vcpu vcpu;
    private final Arena arena;

    private RealModeMachine(Vm vm, Vcpu vcpu, Arena arena) {
        this.vm = vm;
        this.vcpu = vcpu;
        this.arena = arena;
    }

    /** Creates the VM on {@code kvm} (which the caller keeps and closes) with {@code code} loaded at CODE_GPA. */
    public static RealModeMachine create(Kvm kvm, byte[] code) {
        if (code.length > RAM_SIZE - CODE_GPA) throw new IllegalArgumentException("guest code too large: " + code.length);
        Arena arena = Arena.ofShared();
        Vm vm = null;
        try {
            MemorySegment ram = arena.allocate(RAM_SIZE, 4096);
            MemorySegment.copy(code, 0, ram, ValueLayout.JAVA_BYTE, CODE_GPA, code.length);
            vm = kvm.createVm();
            vm.setUserMemoryRegion(0, 0, 0, ram);
            Vcpu vcpu = vm.createVcpu(0);
            Sregs s = vcpu.getSregs();
            Segment cs = s.cs();
            vcpu.setSregs(s.with(b -> b.cs = new Segment(0, cs.limit(), 0, cs.type(), cs.present(), cs.dpl(), cs.db(),
                    cs.s(), cs.l(), cs.g(), cs.avl(), cs.unusable(), 0)));
            vcpu.setRegs(Regs.ZERO.withRip(CODE_GPA));
            return new RealModeMachine(vm, vcpu, arena);
        } catch (RuntimeException e) {
            if (vm != null) vm.close();
            arena.close();
            throw e;
        }
    }

    public Vcpu vcpu() {
        return vcpu;
    }

    @Override
    public void close() {
        vcpu.close();
        vm.close();
        arena.close();  // after the VM: KVM may touch guest memory until the slot is gone
    }
}
