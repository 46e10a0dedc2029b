package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_pic_state}: one 8259A of the in-kernel PIC pair (KVM_GET/SET_IRQCHIP, §4.26–4.27). */
public record PicState(int last_irr, int irr, int imr, int isr, int priority_add, int irq_base,
                       int read_reg_select, int poll, int special_mask, int init_state, int auto_eoi,
                       int rotate_on_auto_eoi, int special_fully_nested_mode, int init4, int elcr, int elcr_mask)
        implements IrqchipState {

    private static final String[] FIELDS = {"last_irr", "irr", "imr", "isr", "priority_add", "irq_base",
        "read_reg_select", "poll", "special_mask", "init_state", "auto_eoi", "rotate_on_auto_eoi",
        "special_fully_nested_mode", "init4", "elcr", "elcr_mask"};

    public static final StructLayout LAYOUT = layout();

    private static StructLayout layout() {
        MemoryLayout[] f = new MemoryLayout[FIELDS.length];
        for (int i = 0; i < f.length; i++) f[i] = JAVA_BYTE.withName(FIELDS[i]);
        return MemoryLayout.structLayout(f).withName("kvm_pic_state");
    }

    public int[] toArray() {
        return new int[] {last_irr, irr, imr, isr, priority_add, irq_base, read_reg_select, poll, special_mask,
            init_state, auto_eoi, rotate_on_auto_eoi, special_fully_nested_mode, init4, elcr, elcr_mask};
    }

    public static PicState fromArray(int[] v) {
        return new PicState(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                v[14], v[15]);
    }

    public static PicState read(MemorySegment m, long o) {
        int[] v = new int[16];
        for (int i = 0; i < 16; i++) v[i] = Mem.u8(m, o + i);
        return fromArray(v);
    }

    public void write(MemorySegment m, long o) {
        int[] v = toArray();
        for (int i = 0; i < 16; i++) Mem.u8(m, o + i, v[i]);
    }
}
