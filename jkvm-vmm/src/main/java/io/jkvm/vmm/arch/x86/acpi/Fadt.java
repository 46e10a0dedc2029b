package io.jkvm.vmm.arch.x86.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Fixed ACPI Description Table, signature "FACP" (ACPI 6.5 §5.2.9), in the revision 6 layout of 276
 * bytes, for a hardware-reduced platform (§4.1): HW_REDUCED_ACPI set, so there is no SCI, no PM1/GPE
 * blocks, no PM timer, no SMI command port and no FACS; the fixed fields for them stay zero. What remains:
 * <ul>
 *   <li>X_DSDT, the 64-bit DSDT address (the 32-bit DSDT field stays 0: with X_DSDT set OSPM ignores it,
 *       and ACPICA warns when the two differ);</li>
 *   <li>SLEEP_CONTROL_REG and SLEEP_STATUS_REG, which replace PM1 control on hardware-reduced platforms —
 *       Linux only offers S5 (poweroff through ACPI) when both are present;</li>
 *   <li>RESET_REG with RESET_VALUE and the RESET_REG_SUP flag, for Linux's {@code reboot=acpi};</li>
 *   <li>IAPC_BOOT_ARCH telling x86 Linux what legacy hardware exists: ISA devices and an 8042 (without that
 *       flag Linux skips the i8042), and no VGA to probe;</li>
 *   <li>CENTURY, the CMOS index of the RTC's century byte, which Linux's rtc_cmos reads when ACPI names it.</li>
 * </ul>
 * Linux (arch/x86/kernel/acpi/boot.c) then replaces the 8259 with a null PIC and skips the PIT as a timer,
 * and ignores the SCI fields; power and sleep buttons are declared absent as fixed features.
 */
public final class Fadt {
    private Fadt() {}

    public static final String SIGNATURE = "FACP";
    public static final int REVISION = 6, MINOR_VERSION = 5, LENGTH = 276;
    // field offsets from the start of the table
    public static final int OFF_DSDT = 40, OFF_SCI_INT = 46, OFF_CENTURY = 108, OFF_IAPC_BOOT_ARCH = 109, OFF_FLAGS = 112, OFF_RESET_REG = 116,
            OFF_RESET_VALUE = 128, OFF_MINOR_VERSION = 131, OFF_X_FIRMWARE_CTRL = 132, OFF_X_DSDT = 140,
            OFF_SLEEP_CONTROL_REG = 244, OFF_SLEEP_STATUS_REG = 256, OFF_HYPERVISOR_VENDOR_ID = 268;
    // IAPC_BOOT_ARCH (§5.2.9.3)
    public static final int LEGACY_DEVICES = 1 << 0, IAPC_8042 = 1 << 1, VGA_NOT_PRESENT = 1 << 2;
    // Fixed Feature Flags (§5.2.9, table 5.10)
    public static final int PWR_BUTTON = 1 << 4, SLP_BUTTON = 1 << 5, RESET_REG_SUP = 1 << 10, HW_REDUCED_ACPI = 1 << 20;

    /** The FADT of a hardware-reduced machine whose DSDT is at {@code dsdt}, with the given registers. */
    public static byte[] of(long dsdt, GenericAddress sleepControl, GenericAddress sleepStatus, GenericAddress reset,
                            int resetValue, int cmosCentury) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH - Sdt.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(OFF_CENTURY - Sdt.HEADER_SIZE, (byte) cmosCentury);
        b.putShort(OFF_IAPC_BOOT_ARCH - Sdt.HEADER_SIZE, (short) (LEGACY_DEVICES | IAPC_8042 | VGA_NOT_PRESENT));
        b.putInt(OFF_FLAGS - Sdt.HEADER_SIZE, HW_REDUCED_ACPI | RESET_REG_SUP | PWR_BUTTON | SLP_BUTTON);
        reset.put(b.position(OFF_RESET_REG - Sdt.HEADER_SIZE));
        b.put(OFF_RESET_VALUE - Sdt.HEADER_SIZE, (byte) resetValue);
        b.put(OFF_MINOR_VERSION - Sdt.HEADER_SIZE, (byte) MINOR_VERSION);
        b.putLong(OFF_X_DSDT - Sdt.HEADER_SIZE, dsdt);
        sleepControl.put(b.position(OFF_SLEEP_CONTROL_REG - Sdt.HEADER_SIZE));
        sleepStatus.put(b.position(OFF_SLEEP_STATUS_REG - Sdt.HEADER_SIZE));
        b.put(OFF_HYPERVISOR_VENDOR_ID - Sdt.HEADER_SIZE, Sdt.ascii("JKVM    ", 8));
        return Sdt.table(SIGNATURE, REVISION, b.array());
    }
}
