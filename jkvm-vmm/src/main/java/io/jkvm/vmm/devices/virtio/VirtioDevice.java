package io.jkvm.vmm.devices.virtio;

import io.jkvm.vmm.vstate.GuestMemory;

/**
 * A virtio device, independent of its transport (Firecracker's {@code VirtioDevice}, kvmtool's
 * {@code virtio_ops}). The transport owns feature negotiation, the queues' registers and the interrupt; the
 * device owns its configuration space and what a request means. All calls come under the transport's
 * monitor.
 */
public interface VirtioDevice {
    int VIRTIO_ID_NET = 1, VIRTIO_ID_BLOCK = 2, VIRTIO_ID_CONSOLE = 3, VIRTIO_ID_RNG = 4;
    /** VIRTIO_F_VERSION_1 (bit 32): a modern (non-legacy) device; virtio-mmio version 2 requires it. */
    long VIRTIO_F_VERSION_1 = 1L << 32;

    /** What the device calls to tell the driver it put buffers in a used ring. */
    @FunctionalInterface
    interface UsedBuffers {
        void signal();
    }

    /** VIRTIO_ID_* of the device. */
    int deviceType();

    /** The feature bits the device offers. */
    long deviceFeatures();

    /** QueueNumMax of each queue; the length is the number of queues. */
    int[] queueMaxSizes();

    /** Byte {@code offset} of the device configuration space (0 past its end). */
    int readConfig(int offset);

    /** A driver write to the configuration space; most devices ignore it. */
    default void writeConfig(int offset, int value) {}

    /** DRIVER_OK: the driver negotiated {@code features} and the queues are set up; requests may start. */
    void activate(GuestMemory mem, Queue[] queues, long features, UsedBuffers used);

    /** The driver notified queue {@code index} (QueueNotify). */
    void queueNotify(int index);

    /** The driver reset the device (Status = 0): forget activation and in-flight state. */
    void reset();

    /** A record with the device's own state (not the transport's), for snapshots. */
    Record state();
}
