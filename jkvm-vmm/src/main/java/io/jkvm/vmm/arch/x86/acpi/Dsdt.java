package io.jkvm.vmm.arch.x86.acpi;

import java.util.ArrayList;
import java.util.List;

/**
 * The Differentiated System Description Table (ACPI 6.5 §5.2.11.1): a table header and AML that describe
 * what the fixed tables cannot — the devices OSPM should bind drivers to, and the sleep states. In ASL:
 * <pre>
 *   DefinitionBlock ("", "DSDT", 2, "JKVM  ", "JKVMDSDT", 1) {
 *     Scope (\_SB) {
 *       Device (COM1) { Name (_HID, EisaId ("PNP0501")) Name (_UID, One)
 *                       Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3F8, 0x3F8, 1, 8) IRQNoFlags () {4} }) }
 *       Device (RTC)  { Name (_HID, EisaId ("PNP0B00")) Name (_UID, Zero)
 *                       Name (_CRS, ResourceTemplate () { IO (Decode16, 0x70, 0x70, 1, 2) IRQNoFlags () {8} }) }
 *       Device (KBD)  { Name (_HID, EisaId ("PNP0303")) Name (_UID, Zero)
 *                       Name (_CRS, ResourceTemplate () { IO (Decode16, 0x60, 0x60, 1, 1) IO (Decode16, 0x64, 0x64, 1, 1)
 *                                                         IRQNoFlags () {1} }) }
 *       Device (PEVT) { Name (_HID, "QEMU0001") Name (_UID, Zero)
 *                       Name (_CRS, ResourceTemplate () { IO (Decode16, 0x505, 0x505, 1, 1) }) }
 *       Device (VR00) { Name (_HID, "LNRO0005") Name (_UID, Zero)
 *                       Name (_CRS, ResourceTemplate () { Memory32Fixed (ReadWrite, base, size)
 *                                                         Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) {irq} }) }
 *       ...                                                              one per virtio-mmio device
 *     }
 *     Name (\_S5, Package () { 5, 5, 0, 0 })
 *   }
 * </pre>
 * <ul>
 *   <li>"LNRO0005" is the ACPI id Linux's virtio_mmio driver matches (drivers/virtio/virtio_mmio.c): with
 *       it the kernel finds the devices without {@code virtio_mmio.device=} on its command line, which some
 *       kernels (Debian's cloud kernel) do not accept. The interrupt is edge-triggered and active-high, the
 *       same as the ISA default these IRQs had when announced on the command line.</li>
 *   <li>The ISA devices (UART, RTC, 8042) are here for their IRQs: on a hardware-reduced platform x86 Linux
 *       has no 8259 and so no preset ISA IRQ numbers, and a driver that asks for its fixed IRQ (rtc_cmos 8,
 *       i8042 1) gets -EINVAL. Described by their PNP ids, the PNP drivers map each IRQ through ACPI.</li>
 *   <li>{@code \_S5}: SLP_TYPa (and b) is the value OSPM writes into the sleep control register's SLP_TYP
 *       field, with SLP_EN, to power off (5 for jkvm's device); elements 3 and 4 are reserved.</li>
 * </ul>
 * Revision 2: integers are 64 bits wide.
 */
public final class Dsdt {
    private Dsdt() {}

    public static final String SIGNATURE = "DSDT";
    public static final int REVISION = 2;
    public static final String VIRTIO_MMIO_HID = "LNRO0005";
    /** PNP ids: 16550A-compatible UART, AT real-time clock, IBM Enhanced (101/102-key) keyboard controller. */
    public static final String UART_16550A_HID = "PNP0501", RTC_HID = "PNP0B00", KEYBOARD_HID = "PNP0303";
    /** QEMU's pvpanic device, which Linux's pvpanic-mmio driver binds to (through an I/O or memory resource). */
    public static final String PVPANIC_HID = "QEMU0001";

    /** A virtio-mmio transport: its register window and the GSI it interrupts on. */
    public record VirtioMmio(long base, long size, int gsi) {}

    /** An ISA I/O port range. */
    public record IoRange(int base, int length) {}

    /**
     * An ISA device: its ACPI name, hardware id (a PNP EISA id like PNP0501, compressed as ASL's EisaId
     * does; any other id, like QEMU0001, as a string), _UID, port ranges and ISA IRQ ({@link #NO_IRQ}: none).
     */
    public record Isa(String name, String pnpId, int uid, List<IoRange> io, int irq) {
        public Isa {
            io = List.copyOf(io);
        }
    }

    public static final int NO_IRQ = -1;

    /** The DSDT for the {@code isa} and {@code virtio} devices and an S5 entered by writing SLP_TYP {@code s5SleepType}. */
    public static byte[] of(List<Isa> isa, List<VirtioMmio> virtio, int s5SleepType) {
        return Sdt.table(SIGNATURE, REVISION, aml(isa, virtio, s5SleepType));
    }

    /** The AML body alone (what follows the table header). */
    static byte[] aml(List<Isa> isa, List<VirtioMmio> virtio, int s5SleepType) {
        List<byte[]> devices = new ArrayList<>();
        for (Isa d : isa) {
            ResourceTemplate crs = new ResourceTemplate();
            for (IoRange r : d.io()) crs.io(r.base(), r.length());
            devices.add(Aml.device(d.name(),
                    Aml.name("_HID", d.pnpId().matches("[A-Z]{3}[0-9A-F]{4}") ? Aml.eisaId(d.pnpId()) : Aml.string(d.pnpId())),
                    Aml.name("_UID", Aml.integer(d.uid())),
                    Aml.name("_CRS", (d.irq() == NO_IRQ ? crs : crs.irqNoFlags(d.irq())).toAml())));
        }
        for (int i = 0; i < virtio.size(); i++) {
            VirtioMmio v = virtio.get(i);
            devices.add(Aml.device(String.format("VR%02X", i),
                    Aml.name("_HID", Aml.string(VIRTIO_MMIO_HID)),
                    Aml.name("_UID", Aml.integer(i)),
                    Aml.name("_CRS", new ResourceTemplate().memory32Fixed(true, v.base(), v.size())
                            .interrupt(ResourceTemplate.CONSUMER | ResourceTemplate.EDGE, v.gsi()).toAml())));
        }
        return Aml.concat(
                Aml.scope("\\_SB", devices.toArray(byte[][]::new)),
                Aml.name("\\_S5", Aml.pkg(Aml.integer(s5SleepType), Aml.integer(s5SleepType), Aml.integer(0), Aml.integer(0))));
    }
}
