package io.jkvm.vmm.devices.legacy;

/**
 * The i8042 keyboard controller's registers.
 *
 * @param status status register (0x64 read): OBF, SYS, command/data flag
 * @param commandByte the controller configuration byte ("command byte", read/written with 0x20/0x60)
 * @param outputBuffer byte waiting at port 0x60, valid while status has OBF
 * @param pendingCommand a command written to 0x64 that waits for its data byte at 0x60, or 0
 */
public record I8042State(int status, int commandByte, int outputBuffer, int pendingCommand) {
    public static I8042State initial() {
        return new I8042State(I8042.SB_SYS, 0x00, 0, 0);
    }
}
