package io.jkvm.vmm.devices.legacy;

import io.jkvm.vmm.vstate.BusDevice;

/**
 * The i8042 keyboard controller, just enough for what guests use it for on a VM: the reset line. Ports 0x60
 * (data) and 0x64 (status/command), registered as one 5-port range at 0x60 (0x61–0x63 read as 0xff, they
 * belong to nobody here). Command 0xFE pulses the CPU reset line (Linux's {@code reboot=k}, the default
 * fallback of {@code machine_restart}); writing the output port (0xD1) with bit 0 clear does the same.
 * Names follow Linux's {@code drivers/input/serio/i8042.h}. No keyboard is attached.
 */
public final class I8042 implements BusDevice {
    public static final int BASE = 0x60, LENGTH = 5;
    public static final int I8042_DATA_REG = 0x60, I8042_COMMAND_REG = 0x64, I8042_STATUS_REG = 0x64;
    public static final int I8042_STR_OBF = 0x01, SB_SYS = 0x04, I8042_STR_CMDDAT = 0x08;
    public static final int I8042_CMD_CTL_RCTR = 0x20, I8042_CMD_CTL_WCTR = 0x60, I8042_CMD_CTL_TEST = 0xaa,
            I8042_CMD_KBD_DISABLE = 0xad, I8042_CMD_KBD_ENABLE = 0xae, I8042_CMD_OUTP_READ = 0xd0,
            I8042_CMD_OUTP_WRITE = 0xd1, I8042_CMD_PULSE_RESET = 0xfe;

    /** What the machine does when the guest pulls the reset line. */
    @FunctionalInterface
    public interface ResetLine {
        void reset();
    }

    private final ResetLine resetLine;
    private int status, commandByte, outputBuffer, pendingCommand;

    private I8042(I8042State s, ResetLine resetLine) {
        this.resetLine = resetLine;
        status = s.status(); commandByte = s.commandByte(); outputBuffer = s.outputBuffer();
        pendingCommand = s.pendingCommand();
    }

    public static I8042 fromState(I8042State s, ResetLine resetLine) {
        return new I8042(s, resetLine);
    }

    public static I8042 create(ResetLine resetLine) {
        return fromState(I8042State.initial(), resetLine);
    }

    public I8042State state() {
        return new I8042State(status, commandByte, outputBuffer, pendingCommand);
    }

    @Override
    public long read(long offset, int size) {
        return switch ((int) offset + BASE) {
            case I8042_DATA_REG -> {
                status &= ~I8042_STR_OBF;
                yield outputBuffer;
            }
            case I8042_STATUS_REG -> status;
            default -> 0xff;
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value & 0xff;
        switch ((int) offset + BASE) {
            case I8042_COMMAND_REG -> command(v);
            case I8042_DATA_REG -> data(v);
            default -> { }
        }
    }

    private void command(int cmd) {
        status |= I8042_STR_CMDDAT;
        switch (cmd) {
            case I8042_CMD_CTL_RCTR -> output(commandByte);
            case I8042_CMD_CTL_TEST -> output(0x55);  // self-test passed
            case I8042_CMD_OUTP_READ -> output(0x01); // output port: reset line not asserted (bit 0 high)
            case I8042_CMD_CTL_WCTR, I8042_CMD_OUTP_WRITE -> pendingCommand = cmd;
            case I8042_CMD_KBD_DISABLE -> commandByte |= 0x10;
            case I8042_CMD_KBD_ENABLE -> commandByte &= ~0x10;
            case I8042_CMD_PULSE_RESET -> resetLine.reset();
            default -> { }  // other commands have no effect without a keyboard or mouse
        }
    }

    private void data(int v) {
        status &= ~I8042_STR_CMDDAT;
        int cmd = pendingCommand;
        pendingCommand = 0;
        if (cmd == I8042_CMD_CTL_WCTR) commandByte = v;
        else if (cmd == I8042_CMD_OUTP_WRITE && (v & 0x01) == 0) resetLine.reset();
        // a byte for the keyboard itself: nothing is attached, so it is dropped
    }

    private void output(int v) {
        outputBuffer = v;
        status |= I8042_STR_OBF;
    }
}
