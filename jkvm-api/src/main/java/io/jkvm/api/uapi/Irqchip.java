package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_irqchip}: KVM_GET_IRQCHIP / KVM_SET_IRQCHIP (§4.26–4.27). {@code chip_id} is
 * {@link #KVM_IRQCHIP_PIC_MASTER}, {@link #KVM_IRQCHIP_PIC_SLAVE} or {@link #KVM_IRQCHIP_IOAPIC}; the
 * chip union holds a {@link PicState} for the first two and an {@link IoapicState} for the third.
 */
public record Irqchip(int chip_id, IrqchipState chip) {

    public static final int KVM_IRQCHIP_PIC_MASTER = 0;
    public static final int KVM_IRQCHIP_PIC_SLAVE = 1;
    public static final int KVM_IRQCHIP_IOAPIC = 2;
    public static final int KVM_NR_IRQCHIPS = 3;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("chip_id"), JAVA_INT.withName("pad"),
            MemoryLayout.unionLayout(MemoryLayout.sequenceLayout(512, JAVA_BYTE).withName("dummy"),
                    PicState.LAYOUT.withName("pic"), IoapicState.LAYOUT.withName("ioapic")).withName("chip"))
            .withName("kvm_irqchip");

    /** Decodes the union by chip_id; an unknown id decodes as a PIC (the kernel rejects it anyway). */
    public static Irqchip read(MemorySegment m) {
        int id = Mem.u32(m, 0);
        IrqchipState s = id == KVM_IRQCHIP_IOAPIC ? IoapicState.read(m, 8) : PicState.read(m, 8);
        return new Irqchip(id, s);
    }

    public void write(MemorySegment m) {
        Mem.u32(m, 0, chip_id);
        Mem.u32(m, 4, 0);
        switch (chip) {
            case PicState p -> p.write(m, 8);
            case IoapicState io -> io.write(m, 8);
        }
    }
}
