package io.jkvm.vmm.arch.x86.acpi;

import java.io.ByteArrayOutputStream;

/**
 * An ASL {@code ResourceTemplate()}: resource data descriptors (ACPI 6.5 §6.4, "Resource Data Types for
 * ACPI") ending in an End Tag, as the Buffer that a {@code _CRS} object returns. Only the descriptors jkvm's
 * devices need; each method appends one and documents its bytes.
 */
public final class ResourceTemplate {
    // §6.4.2 small items: tag byte = (item name << 3) | length; §6.4.3 large items: tag byte = 0x80 | item name
    static final int IRQ_NO_FLAGS_TAG = 0x04 << 3 | 2, IO_PORT_TAG = 0x08 << 3 | 7, END_TAG = 0x0f << 3 | 1;
    static final int MEMORY32_FIXED_TAG = 0x80 | 0x06, EXTENDED_INTERRUPT_TAG = 0x80 | 0x09;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /**
     * {@code IO(Decode16, base, base, 1, length)}: an I/O Port Descriptor (§6.4.2.5) for a fixed range — the
     * information byte's bit 0 says the device decodes all 16 address bits; minimum = maximum = base.
     */
    public ResourceTemplate io(int base, int length) {
        if (base < 0 || base > 0xffff || length < 1 || length > 0xff) throw new IllegalArgumentException("IO descriptor base/length out of range");
        out.write(IO_PORT_TAG);
        out.write(1);
        u16(base);
        u16(base);
        out.write(1);
        out.write(length);
        return this;
    }

    /**
     * {@code IRQNoFlags() {irq}}: an IRQ Descriptor (§6.4.2.1) of two bytes, a mask of ISA IRQs 0–15; without
     * the flags byte it means edge-triggered, active-high, exclusive, the ISA default.
     */
    public ResourceTemplate irqNoFlags(int irq) {
        if (irq < 0 || irq > 15) throw new IllegalArgumentException("IRQ descriptor: ISA IRQ 0-15, not " + irq);
        out.write(IRQ_NO_FLAGS_TAG);
        u16(1 << irq);
        return this;
    }

    /**
     * {@code Memory32Fixed(ReadWrite|ReadOnly, base, length)}: a 32-Bit Fixed Memory Range Descriptor
     * (§6.4.3.4), length field 9; the information byte's bit 0 is 1 for read/write.
     */
    public ResourceTemplate memory32Fixed(boolean readWrite, long base, long length) {
        if (base < 0 || base > 0xffff_ffffL || length < 0 || length > 0xffff_ffffL) throw new IllegalArgumentException("Memory32Fixed out of range");
        out.write(MEMORY32_FIXED_TAG);
        u16(9);
        out.write(readWrite ? 1 : 0);
        u32(base);
        u32(length);
        return this;
    }

    /** Interrupt vector flags of the Extended Interrupt Descriptor (§6.4.3.6). */
    public static final int CONSUMER = 0x01, EDGE = 0x02, ACTIVE_LOW = 0x04, SHARED = 0x08, WAKE_CAPABLE = 0x10;

    /**
     * {@code Interrupt(...) {gsi}}: an Extended Interrupt Descriptor (§6.4.3.6) for one interrupt: length
     * 2 + 4 × count, the flags ({@link #CONSUMER}, {@link #EDGE}, ...; level, active-high, exclusive and
     * producer when clear), the count, then each interrupt number as a DWord (a GSI on x86).
     */
    public ResourceTemplate interrupt(int flags, int gsi) {
        out.write(EXTENDED_INTERRUPT_TAG);
        u16(2 + 4);
        out.write(flags);
        out.write(1);
        u32(gsi & 0xffff_ffffL);
        return this;
    }

    /**
     * The resource data with its End Tag (§6.4.2.9): tag 0x79 and a checksum byte that makes the sum of all
     * the bytes zero (zero would also be accepted, meaning "not checksummed"; jkvm computes it).
     */
    public byte[] bytes() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(out.toByteArray());
        all.write(END_TAG);
        int sum = 0;
        for (byte b : all.toByteArray()) sum += b;
        all.write(-sum & 0xff);
        return all.toByteArray();
    }

    /** The template as an AML Buffer, the value of a {@code Name(_CRS, ResourceTemplate() {...})}. */
    public byte[] toAml() {
        return Aml.buffer(bytes());
    }

    private void u16(int v) {
        out.write(v);
        out.write(v >>> 8);
    }

    private void u32(long v) {
        for (int k = 0; k < 4; k++) out.write((int) (v >>> (8 * k)));
    }
}
