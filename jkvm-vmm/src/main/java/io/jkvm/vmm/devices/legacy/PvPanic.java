package io.jkvm.vmm.devices.legacy;

import io.jkvm.vmm.vstate.BusDevice;

/**
 * QEMU's pvpanic device on I/O port 0x505 (QEMU docs/specs/pvpanic.rst), described in the DSDT as
 * "QEMU0001": a read tells the guest which events the host understands, a write reports one. Linux's
 * pvpanic driver writes {@link #PVPANIC_PANICKED} from its panic notifier, before the kernel reboots or
 * spins, so the VMM can end with a failure status instead of looking like a clean reboot.
 * {@link #PVPANIC_CRASH_LOADED} (a kdump kernel takes over) is acknowledged and otherwise ignored: the
 * guest keeps running.
 */
public final class PvPanic implements BusDevice {
    public static final int PORT = 0x505;
    public static final int PVPANIC_PANICKED = 1, PVPANIC_CRASH_LOADED = 2;

    /** What the machine does when the guest reports a panic. */
    @FunctionalInterface
    public interface Listener {
        void panicked(int events);
    }

    private final Listener listener;

    public PvPanic(Listener listener) {
        this.listener = listener;
    }

    @Override
    public long read(long offset, int size) {
        return PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
    }

    @Override
    public void write(long offset, int size, long value) {
        if ((value & PVPANIC_PANICKED) != 0) listener.panicked((int) value & 0xff);
    }
}
