package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * {@code struct kvm_lapic_state}: the local APIC's 1 KiB register page (KVM_GET/SET_LAPIC), each register
 * at its xAPIC MMIO offset (ID at 0x20, TPR at 0x80, ISR at 0x100, IRR at 0x200, timer at 0x320…).
 */
public record LapicState(byte[] regs) {
    public static final int KVM_APIC_REG_SIZE = 0x400;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(KVM_APIC_REG_SIZE, JAVA_BYTE).withName("regs")).withName("kvm_lapic_state");

    public LapicState {
        if (regs.length != KVM_APIC_REG_SIZE) throw new IllegalArgumentException("regs has 1024 bytes");
        regs = regs.clone();
    }

    @Override
    public byte[] regs() {
        return regs.clone();
    }

    /** The 32-bit register at xAPIC offset {@code off}. */
    public int reg(int off) {
        return (regs[off] & 0xff) | (regs[off + 1] & 0xff) << 8 | (regs[off + 2] & 0xff) << 16 | (regs[off + 3] & 0xff) << 24;
    }

    public static LapicState read(MemorySegment m) {
        return new LapicState(Mem.bytes(m, 0, KVM_APIC_REG_SIZE));
    }

    public void write(MemorySegment m) {
        Mem.bytes(m, 0, regs, KVM_APIC_REG_SIZE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LapicState l && Arrays.equals(regs, l.regs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(regs);
    }

    @Override
    public String toString() {
        return String.format("LapicState[id=%#x, tpr=%#x, svr=%#x, lvt_timer=%#x]", reg(0x20), reg(0x80), reg(0xf0), reg(0x320));
    }
}
