package io.jkvm.vmm.arch.x86.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Multiple APIC Description Table, signature "APIC" (ACPI 6.5 §5.2.12): the interrupt controllers that
 * x86 Linux (CONFIG_X86_MPPARSE off) learns its CPUs and IOAPIC from.
 * <ul>
 *   <li>header fields: the local APIC address and PCAT_COMPAT (a dual 8259 is present, as it is in the
 *       in-kernel irqchip);</li>
 *   <li>one Processor Local APIC entry per vCPU, enabled, APIC id = ACPI processor UID = vCPU id (the ids
 *       {@code Cpuid} puts in CPUID and the MP table uses);</li>
 *   <li>the IOAPIC with GSI base 0 and the same id as in the MP table (one past the last CPU);</li>
 *   <li>a Local APIC NMI entry: LINT1 of every processor is the NMI input, as the VMM programs it.</li>
 * </ul>
 * No Interrupt Source Override: KVM and the java backend route GSI i to IOAPIC pin i (the PIT on GSI 0),
 * which is exactly the identity that Linux assumes for ISA IRQs 0–15 without an override. (QEMU needs
 * "IRQ 0 → GSI 2" only because it routes the PIT to pin 2; a hardware-reduced FADT means Linux uses neither
 * the PIT nor the SCI, so no override is needed for them either.)
 */
public final class Madt {
    private Madt() {}

    public static final String SIGNATURE = "APIC";
    /** Revision 5 (ACPI 6.3): the first to define the Online Capable flag, which Linux reads from revision 5 on. */
    public static final int REVISION = 5;
    public static final int OFF_LOCAL_APIC_ADDRESS = 36, OFF_FLAGS = 40, OFF_ENTRIES = 44;
    public static final int PCAT_COMPAT = 1;
    // Interrupt Controller Structure types (§5.2.12, table 5.21) and their lengths
    public static final int TYPE_LOCAL_APIC = 0, TYPE_IO_APIC = 1, TYPE_INTERRUPT_OVERRIDE = 2, TYPE_LOCAL_APIC_NMI = 4;
    public static final int LOCAL_APIC_LENGTH = 8, IO_APIC_LENGTH = 12, LOCAL_APIC_NMI_LENGTH = 6;
    /** Processor Local APIC flags: Enabled. */
    public static final int LAPIC_ENABLED = 1;
    /** Local APIC NMI: processor UID 0xFF means all processors; MPS INTI flags 0 = conforming polarity and trigger. */
    public static final int ALL_PROCESSORS = 0xff;

    /** The MADT for {@code cpus} vCPUs, the local APIC at {@code lapicAddress} and one IOAPIC. */
    public static byte[] of(int cpus, long lapicAddress, int ioapicId, long ioapicAddress) {
        if (cpus < 1 || cpus > 255) throw new IllegalArgumentException("MADT: 1..255 vCPUs (8-bit APIC ids), not " + cpus);
        ByteBuffer b = ByteBuffer.allocate(8 + LOCAL_APIC_LENGTH * cpus + IO_APIC_LENGTH + LOCAL_APIC_NMI_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) lapicAddress).putInt(PCAT_COMPAT);
        for (int id = 0; id < cpus; id++)
            b.put((byte) TYPE_LOCAL_APIC).put((byte) LOCAL_APIC_LENGTH).put((byte) id).put((byte) id).putInt(LAPIC_ENABLED);
        b.put((byte) TYPE_IO_APIC).put((byte) IO_APIC_LENGTH).put((byte) ioapicId).put((byte) 0)
                .putInt((int) ioapicAddress).putInt(0);
        b.put((byte) TYPE_LOCAL_APIC_NMI).put((byte) LOCAL_APIC_NMI_LENGTH).put((byte) ALL_PROCESSORS).putShort((short) 0)
                .put((byte) 1);
        return Sdt.table(SIGNATURE, REVISION, b.array());
    }
}
