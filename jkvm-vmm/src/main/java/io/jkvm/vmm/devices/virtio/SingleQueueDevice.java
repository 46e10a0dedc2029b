package io.jkvm.vmm.devices.virtio;

import io.jkvm.vmm.vstate.GuestMemory;

/**
 * A virtio device with one request queue that the driver fills and the device serves in order (virtio-blk,
 * virtio-rng): on a notify, every available chain is served, put on the used ring with the number of bytes
 * the device wrote into it, and the driver is interrupted once for the batch.
 */
public abstract class SingleQueueDevice implements VirtioDevice {
    private GuestMemory mem;
    private Queue queue;
    private UsedBuffers used;

    /** Serves one request chain; returns how many bytes the device wrote into it. */
    protected abstract long serve(DescriptorChain chain);

    /** Guest memory while the driver has the device running (DRIVER_OK), else null. */
    protected final GuestMemory mem() {
        return mem;
    }

    @Override
    public void activate(GuestMemory mem, Queue[] queues, long features, UsedBuffers used) {
        this.mem = mem;
        this.queue = queues[0];
        this.used = used;
    }

    @Override
    public void reset() {
        mem = null;
        queue = null;
        used = null;
    }

    @Override
    public void queueNotify(int index) {
        if (queue == null) return;
        boolean any = false;
        for (DescriptorChain c; (c = queue.pop(mem)) != null; any = true) {
            queue.addUsed(mem, c.head(), serve(c));
        }
        if (any) used.signal();
    }
}
