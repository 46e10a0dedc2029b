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
 *   <li>The UART's PNP0501 lets Linux's 8250_pnp driver take over COM1 with its IRQ mapped through ACPI.</li>
 *   <li>{@code \_S5}: SLP_TYPa (and b) is the value OSPM writes into the sleep control register's SLP_TYP
 *       field, with SLP_EN, to power off (5 for jkvm's device); elements 3 and 4 are reserved.</li>
 * </ul>
 * Revision 2: integers are 64 bits wide.
 */
public final class Dsdt {
    private Dsdt() {}

    public static final String SIGNATURE = "DSDT";
    public static final int REVISION = 2;
    public static final String VIRTIO_MMIO_HID = "LNRO0005", UART_16550A_HID = "PNP0501";

    /** A virtio-mmio transport: its register window and the GSI it interrupts on. */
    public record VirtioMmio(long base, long size, int gsi) {}

    /** A 16550A UART at an I/O port range with an ISA IRQ. */
    public record Uart(String name, int port, int ports, int irq) {}

    /** The DSDT for {@code uart}, the {@code virtio} devices and an S5 entered by writing SLP_TYP {@code s5SleepType}. */
    public static byte[] of(Uart uart, List<VirtioMmio> virtio, int s5SleepType) {
        return Sdt.table(SIGNATURE, REVISION, aml(uart, virtio, s5SleepType));
    }

    /** The AML body alone (what follows the table header). */
    static byte[] aml(Uart uart, List<VirtioMmio> virtio, int s5SleepType) {
        List<byte[]> devices = new ArrayList<>();
        devices.add(Aml.device(uart.name(),
                Aml.name("_HID", Aml.eisaId(UART_16550A_HID)),
                Aml.name("_UID", Aml.integer(1)),
                Aml.name("_CRS", new ResourceTemplate().io(uart.port(), uart.ports()).irqNoFlags(uart.irq()).toAml())));
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
