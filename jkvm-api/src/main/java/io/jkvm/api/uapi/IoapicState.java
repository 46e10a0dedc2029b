package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * {@code struct kvm_ioapic_state}: the in-kernel IOAPIC (KVM_GET/SET_IRQCHIP with chip_id 2). Each
 * {@code redirtbl} entry is the 64-bit redirection-table register: vector 7:0, delivery_mode 10:8,
 * dest_mode 11, delivery_status 12, polarity 13, remote_irr 14, trig_mode 15, mask 16, dest_id 63:56.
 */
public record IoapicState(long base_address, int ioregsel, int id, int irr, int pad, long[] redirtbl)
        implements IrqchipState {

    public static final int KVM_IOAPIC_NUM_PINS = 24;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base_address"), JAVA_INT.withName("ioregsel"), JAVA_INT.withName("id"),
            JAVA_INT.withName("irr"), JAVA_INT.withName("pad"),
            MemoryLayout.sequenceLayout(KVM_IOAPIC_NUM_PINS, JAVA_LONG).withName("redirtbl"))
            .withName("kvm_ioapic_state");

    public IoapicState {
        if (redirtbl.length != KVM_IOAPIC_NUM_PINS) throw new IllegalArgumentException("redirtbl has 24 entries");
        redirtbl = redirtbl.clone();
    }

    @Override
    public long[] redirtbl() {
        return redirtbl.clone();
    }

    public static IoapicState read(MemorySegment m, long o) {
        long[] t = new long[KVM_IOAPIC_NUM_PINS];
        for (int i = 0; i < t.length; i++) t[i] = Mem.u64(m, o + 24 + 8L * i);
        return new IoapicState(Mem.u64(m, o), Mem.u32(m, o + 8), Mem.u32(m, o + 12), Mem.u32(m, o + 16),
                Mem.u32(m, o + 20), t);
    }

    public void write(MemorySegment m, long o) {
        Mem.u64(m, o, base_address);
        Mem.u32(m, o + 8, ioregsel);
        Mem.u32(m, o + 12, id);
        Mem.u32(m, o + 16, irr);
        Mem.u32(m, o + 20, pad);
        for (int i = 0; i < redirtbl.length; i++) Mem.u64(m, o + 24 + 8L * i, redirtbl[i]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IoapicState s && base_address == s.base_address && ioregsel == s.ioregsel && id == s.id
                && irr == s.irr && pad == s.pad && Arrays.equals(redirtbl, s.redirtbl);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(base_address) * 31 + Arrays.hashCode(redirtbl) + ioregsel * 7 + id * 13 + irr;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(String.format("IoapicState[base_address=%#x, ioregsel=%d, id=%d, irr=%#x, redirtbl=[",
                base_address, ioregsel, id, irr));
        for (int i = 0; i < redirtbl.length; i++) b.append(i == 0 ? "" : ", ").append(Long.toHexString(redirtbl[i]));
        return b.append("]]").toString();
    }
}
