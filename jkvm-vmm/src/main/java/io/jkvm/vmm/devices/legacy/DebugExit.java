package io.jkvm.vmm.devices.legacy;

import io.jkvm.vmm.vstate.BusDevice;

/**
 * QEMU's isa-debug-exit device at port 0xf4 ({@code -device isa-debug-exit,iobase=0xf4,iosize=0x04}), the
 * way kvm-unit-tests and many test kernels end a run: a write of {@code value} stops the VM, and the VMM
 * exits with status {@code (value << 1) | 1} — so a guest can never produce status 0 by accident, exactly as
 * QEMU. Reads return 0.
 */
public final class DebugExit implements BusDevice {
    public static final int PORT = 0xf4, LENGTH = 4;

    /** What the machine does with the status. */
    @FunctionalInterface
    public interface ExitLine {
        void exit(int status);
    }

    private final ExitLine exitLine;

    private DebugExit(ExitLine exitLine) {
        this.exitLine = exitLine;
    }

    /** The device has no state of its own; this is here so every device is built the same way. */
    public record State() {}

    public static DebugExit fromState(State s, ExitLine exitLine) {
        return new DebugExit(exitLine);
    }

    public static DebugExit create(ExitLine exitLine) {
        return fromState(new State(), exitLine);
    }

    public State state() {
        return new State();
    }

    /** The process exit status for a guest's write of {@code value}, as QEMU computes it. */
    public static int status(long value, int size) {
        long v = size >= 4 ? value & 0xffffffffL : value & ((1L << (8 * size)) - 1);
        return (int) ((v << 1) | 1);
    }

    @Override
    public long read(long offset, int size) {
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        exitLine.exit(status(value, size));
    }
}
