package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * {@code struct kvm_sregs} (x86): segment registers, descriptor tables, control registers, EFER,
 * APIC base and the bitmap of pending (acknowledged, not yet injected) external interrupts.
 * KVM_GET_SREGS / KVM_SET_SREGS (§4.13–4.14).
 */
public record Sregs(Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss,
                    Segment tr, Segment ldt, Dtable gdt, Dtable idt,
                    long cr0, long cr2, long cr3, long cr4, long cr8, long efer, long apic_base,
                    long[] interrupt_bitmap) {

    /** KVM_NR_INTERRUPTS: the interrupt bitmap has 256 bits. */
    public static final int KVM_NR_INTERRUPTS = 256;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Segment.LAYOUT.withName("cs"), Segment.LAYOUT.withName("ds"), Segment.LAYOUT.withName("es"),
            Segment.LAYOUT.withName("fs"), Segment.LAYOUT.withName("gs"), Segment.LAYOUT.withName("ss"),
            Segment.LAYOUT.withName("tr"), Segment.LAYOUT.withName("ldt"),
            Dtable.LAYOUT.withName("gdt"), Dtable.LAYOUT.withName("idt"),
            JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"), JAVA_LONG.withName("cr3"),
            JAVA_LONG.withName("cr4"), JAVA_LONG.withName("cr8"), JAVA_LONG.withName("efer"),
            JAVA_LONG.withName("apic_base"),
            MemoryLayout.sequenceLayout((KVM_NR_INTERRUPTS + 63) / 64, JAVA_LONG).withName("interrupt_bitmap"))
            .withName("kvm_sregs");

    public Sregs {
        if (interrupt_bitmap.length != 4) throw new IllegalArgumentException("interrupt_bitmap must have 4 words");
        interrupt_bitmap = interrupt_bitmap.clone();
    }

    @Override
    public long[] interrupt_bitmap() {
        return interrupt_bitmap.clone();
    }

    public static Sregs read(MemorySegment m) {
        Segment[] seg = new Segment[8];
        for (int i = 0; i < 8; i++) seg[i] = Segment.read(m, i * 24L);
        long[] bitmap = new long[4];
        for (int i = 0; i < 4; i++) bitmap[i] = Mem.u64(m, 280 + i * 8L);
        return new Sregs(seg[0], seg[1], seg[2], seg[3], seg[4], seg[5], seg[6], seg[7],
                Dtable.read(m, 192), Dtable.read(m, 208),
                Mem.u64(m, 224), Mem.u64(m, 232), Mem.u64(m, 240), Mem.u64(m, 248), Mem.u64(m, 256),
                Mem.u64(m, 264), Mem.u64(m, 272), bitmap);
    }

    public void write(MemorySegment m) {
        Segment[] seg = {cs, ds, es, fs, gs, ss, tr, ldt};
        for (int i = 0; i < 8; i++) seg[i].write(m, i * 24L);
        gdt.write(m, 192);
        idt.write(m, 208);
        long[] cr = {cr0, cr2, cr3, cr4, cr8, efer, apic_base};
        for (int i = 0; i < cr.length; i++) Mem.u64(m, 224 + i * 8L, cr[i]);
        for (int i = 0; i < 4; i++) Mem.u64(m, 280 + i * 8L, interrupt_bitmap[i]);
    }

    /** A copy with the changes {@code edit} makes to a mutable builder. */
    public Sregs with(Consumer<Builder> edit) {
        Builder b = new Builder(this);
        edit.accept(b);
        return b.build();
    }

    /** Mutable form of {@link Sregs}, with the struct's field names. */
    public static final class Builder {
        public Segment cs, ds, es, fs, gs, ss, tr, ldt;
        public Dtable gdt, idt;
        public long cr0, cr2, cr3, cr4, cr8, efer, apic_base;
        public long[] interrupt_bitmap;

        Builder(Sregs s) {
            cs = s.cs; ds = s.ds; es = s.es; fs = s.fs; gs = s.gs; ss = s.ss; tr = s.tr; ldt = s.ldt;
            gdt = s.gdt; idt = s.idt;
            cr0 = s.cr0; cr2 = s.cr2; cr3 = s.cr3; cr4 = s.cr4; cr8 = s.cr8; efer = s.efer; apic_base = s.apic_base;
            interrupt_bitmap = s.interrupt_bitmap();
        }

        public Builder allData(Segment seg) {
            ds = seg; es = seg; fs = seg; gs = seg; ss = seg;
            return this;
        }

        public Sregs build() {
            return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apic_base,
                    interrupt_bitmap);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sregs x && cs.equals(x.cs) && ds.equals(x.ds) && es.equals(x.es) && fs.equals(x.fs)
                && gs.equals(x.gs) && ss.equals(x.ss) && tr.equals(x.tr) && ldt.equals(x.ldt) && gdt.equals(x.gdt)
                && idt.equals(x.idt) && cr0 == x.cr0 && cr2 == x.cr2 && cr3 == x.cr3 && cr4 == x.cr4
                && cr8 == x.cr8 && efer == x.efer && apic_base == x.apic_base
                && Arrays.equals(interrupt_bitmap, x.interrupt_bitmap);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hash(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer,
                apic_base) + Arrays.hashCode(interrupt_bitmap);
    }

    @Override
    public String toString() {
        return "Sregs[cs=" + cs + ", ds=" + ds + ", es=" + es + ", fs=" + fs + ", gs=" + gs + ", ss=" + ss
                + ", tr=" + tr + ", ldt=" + ldt + ", gdt=" + gdt + ", idt=" + idt
                + String.format(", cr0=%#x, cr2=%#x, cr3=%#x, cr4=%#x, cr8=%#x, efer=%#x, apic_base=%#x",
                        cr0, cr2, cr3, cr4, cr8, efer, apic_base)
                + ", interrupt_bitmap=" + Arrays.toString(interrupt_bitmap) + "]";
    }
}
