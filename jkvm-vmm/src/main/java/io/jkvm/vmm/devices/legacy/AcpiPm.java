package io.jkvm.vmm.devices.legacy;

import io.jkvm.vmm.vstate.BusDevice;

/**
 * The power-management registers of a hardware-reduced ACPI platform (ACPI 6.5 §4.8.3.7 "Sleep Control
 * and Status Registers", §4.8.3.6 "Reset Register"), three byte-wide I/O ports that the FADT names:
 * <pre>
 *   0x600  SLEEP_CONTROL_REG  write: SLP_TYPx in bits 2-4, SLP_EN in bit 5 (bits 0-1, 6-7 reserved)
 *   0x601  SLEEP_STATUS_REG   reads 0 (WAK_STS never set: nothing wakes a machine jkvm powered off)
 *   0x602  RESET_REG          write RESET_VALUE: reset
 * </pre>
 * Linux's poweroff ends in {@code acpi_hw_extended_sleep}, which writes {@code SLP_TYP << 2 | SLP_EN} with
 * the SLP_TYPa of {@code \_S5} from the DSDT; this device answers {@link #SLP_TYP_S5} with SLP_EN by powering
 * the machine off. The other sleep states are not declared in the DSDT, so a write of them is ignored, as
 * are writes without SLP_EN (the spec's two-step sequences set SLP_TYP first). QEMU, Firecracker and
 * cloud-hypervisor offer the same pair of operations at ports of their own; 0x600 is the base of QEMU's
 * PC power-management block, free on jkvm's I/O bus.
 */
public final class AcpiPm implements BusDevice {
    public static final int BASE = 0x600, LENGTH = 3;
    public static final int SLEEP_CONTROL_REG = BASE, SLEEP_STATUS_REG = BASE + 1, RESET_REG = BASE + 2;
    public static final int SLP_TYP_SHIFT = 2, SLP_TYP_MASK = 0x7 << SLP_TYP_SHIFT, SLP_EN = 1 << 5;
    /** The SLP_TYP the DSDT's {@code \_S5} gives, the one value this device acts on. */
    public static final int SLP_TYP_S5 = 5;
    /** What the FADT's RESET_VALUE says to write to RESET_REG. */
    public static final int RESET_VALUE = 0x01;

    /** What the machine does on a power-off or a reset. */
    public interface PowerLine {
        void powerOff();

        void reset();
    }

    private final PowerLine line;

    private AcpiPm(PowerLine line) {
        this.line = line;
    }

    /** The device has no state of its own; this is here so every device is built the same way. */
    public record State() {}

    public static AcpiPm fromState(State s, PowerLine line) {
        return new AcpiPm(line);
    }

    public static AcpiPm create(PowerLine line) {
        return fromState(new State(), line);
    }

    public State state() {
        return new State();
    }

    @Override
    public long read(long offset, int size) {
        return 0;  // SLP_EN and SLP_TYP are write-only, WAK_STS stays clear, the reset register is write-only
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value & 0xff;  // each register is a byte: a wider write acts on the one at its address
        switch ((int) offset + BASE) {
            case SLEEP_CONTROL_REG -> {
                if ((v & SLP_EN) != 0 && (v & SLP_TYP_MASK) >>> SLP_TYP_SHIFT == SLP_TYP_S5) line.powerOff();
            }
            case RESET_REG -> {
                if (v == RESET_VALUE) line.reset();
            }
            default -> { }  // SLEEP_STATUS_REG: write-1-to-clear of a WAK_STS that is never set
        }
    }
}
