package io.jkvm.vmm.devices.virtio;

/**
 * A split virtqueue as the driver configured it through the transport, and the device's two ring positions.
 *
 * @param maxSize QueueNumMax the device offers
 * @param size QueueNum the driver chose (a power of 2, at most maxSize)
 * @param ready QueueReady
 * @param descTable guest-physical address of the descriptor table (QueueDesc)
 * @param availRing guest-physical address of the driver area (QueueDriver)
 * @param usedRing guest-physical address of the device area (QueueDevice)
 * @param nextAvail the next avail-ring index the device will take (free-running 16-bit)
 * @param nextUsed the next used-ring index the device will fill (free-running 16-bit)
 */
public record QueueState(int maxSize, int size, boolean ready, long descTable, long availRing, long usedRing,
                         int nextAvail, int nextUsed) {
    public static QueueState reset(int maxSize) {
        return new QueueState(maxSize, maxSize, false, 0, 0, 0, 0, 0);
    }
}
