package io.jkvm.vmm.arch.x86.acpi;

import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.devices.legacy.AcpiPm;
import io.jkvm.vmm.devices.legacy.Cmos;
import io.jkvm.vmm.devices.legacy.I8042;
import io.jkvm.vmm.devices.legacy.PvPanic;
import io.jkvm.vmm.devices.legacy.Uart16550a;
import io.jkvm.vmm.vstate.GuestMemory;
import java.util.List;

/**
 * Writes a jkvm machine's ACPI tables into guest memory, from {@link Layout#ACPI_TABLES} (0xe0000) on:
 * the RSDP first, so that a kernel that scans 0xe0000–0xfffff for it (multiboot kernels, old Linux) finds
 * it, then the XSDT, FADT, MADT and DSDT, each on a 16-byte boundary. The e820 map marks the whole area
 * reserved, so the guest never reuses it as RAM.
 */
public final class Acpi {
    private Acpi() {}

    /** Where the RSDP is; boot_params.acpi_rsdp_addr. */
    public static final long RSDP_ADDR = Layout.ACPI_TABLES;
    /** The RTC's interrupt (the second 8259's IRQ 0) and the keyboard's, as on every PC. */
    public static final int RTC_IRQ = 8, KEYBOARD_IRQ = 1;
    /** The ISA devices the DSDT describes. */
    public static final List<Dsdt.Isa> ISA_DEVICES = List.of(
            new Dsdt.Isa("COM1", Dsdt.UART_16550A_HID, 1, List.of(new Dsdt.IoRange(Uart16550a.COM1_BASE, Uart16550a.PORT_COUNT)),
                    Uart16550a.COM1_IRQ),
            new Dsdt.Isa("RTC", Dsdt.RTC_HID, 0, List.of(new Dsdt.IoRange(Cmos.BASE, Cmos.LENGTH)), RTC_IRQ),
            new Dsdt.Isa("KBD", Dsdt.KEYBOARD_HID, 0, List.of(new Dsdt.IoRange(I8042.I8042_DATA_REG, 1),
                    new Dsdt.IoRange(I8042.I8042_COMMAND_REG, 1)), KEYBOARD_IRQ),
            new Dsdt.Isa("PEVT", Dsdt.PVPANIC_HID, 0, List.of(new Dsdt.IoRange(PvPanic.PORT, 1)), Dsdt.NO_IRQ));

    /** Where each table went. */
    public record Tables(long rsdp, long xsdt, long fadt, long madt, long dsdt, long end) {}

    /** The tables for {@code cpus} vCPUs and the {@code virtio} devices; returns their addresses. */
    public static Tables write(GuestMemory mem, int cpus, List<Dsdt.VirtioMmio> virtio) {
        byte[] dsdt = Dsdt.of(ISA_DEVICES, virtio, AcpiPm.SLP_TYP_S5);
        byte[] madt = Madt.of(cpus, Layout.APIC_DEFAULT_PHYS_BASE, Layout.ioapicId(cpus), Layout.IOAPIC_ADDR);
        long xsdtAddr = align(RSDP_ADDR + Rsdp.SIZE);
        long fadtAddr = align(xsdtAddr + Sdt.HEADER_SIZE + 2 * 8);
        long madtAddr = align(fadtAddr + Fadt.LENGTH);
        long dsdtAddr = align(madtAddr + madt.length);
        long end = dsdtAddr + dsdt.length;
        if (end > Layout.ACPI_TABLES_END)
            throw new IllegalStateException(String.format("ACPI tables end at %#x, past %#x", end, Layout.ACPI_TABLES_END));
        byte[] fadt = Fadt.of(dsdtAddr, GenericAddress.ioPort8(AcpiPm.SLEEP_CONTROL_REG),
                GenericAddress.ioPort8(AcpiPm.SLEEP_STATUS_REG), GenericAddress.ioPort8(AcpiPm.RESET_REG), AcpiPm.RESET_VALUE,
                Cmos.RTC_CENTURY);
        mem.slice(Layout.ACPI_TABLES, end - Layout.ACPI_TABLES).fill((byte) 0);
        mem.write(RSDP_ADDR, Rsdp.of(xsdtAddr));
        mem.write(xsdtAddr, Xsdt.of(fadtAddr, madtAddr));
        mem.write(fadtAddr, fadt);
        mem.write(madtAddr, madt);
        mem.write(dsdtAddr, dsdt);
        return new Tables(RSDP_ADDR, xsdtAddr, fadtAddr, madtAddr, dsdtAddr, end);
    }

    private static long align(long a) {
        return (a + 15) & ~15L;
    }
}
