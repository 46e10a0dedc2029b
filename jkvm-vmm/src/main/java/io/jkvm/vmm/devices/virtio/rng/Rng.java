package io.jkvm.vmm.devices.virtio.rng;

import io.jkvm.vmm.devices.virtio.DescriptorChain;
import io.jkvm.vmm.devices.virtio.SingleQueueDevice;
import java.util.function.Consumer;

/**
 * virtio-rng, the entropy device (virtio 1.x §5.4): one request queue; each writable buffer the driver
 * offers is filled with random bytes from the entropy source the machine passes in (SecureRandom), at most
 * {@link #MAX_BYTES_PER_REQUEST} per request so one request cannot stall the vCPU.
 */
public final class Rng extends SingleQueueDevice {
    public static final int QUEUE_SIZE = 256, MAX_BYTES_PER_REQUEST = 64 << 10;

    /** virtio-rng keeps no state. */
    public record State() {}

    private final Consumer<byte[]> entropy;

    private Rng(Consumer<byte[]> entropy) {
        this.entropy = entropy;
    }

    /** @param entropy fills an array with random bytes (e.g. {@code new SecureRandom()::nextBytes}) */
    public static Rng fromState(State s, Consumer<byte[]> entropy) {
        return new Rng(entropy);
    }

    public static Rng create(Consumer<byte[]> entropy) {
        return fromState(new State(), entropy);
    }

    @Override
    public State state() {
        return new State();
    }

    @Override
    public int deviceType() {
        return VIRTIO_ID_RNG;
    }

    @Override
    public long deviceFeatures() {
        return VIRTIO_F_VERSION_1;
    }

    @Override
    public int[] queueMaxSizes() {
        return new int[] {QUEUE_SIZE};
    }

    @Override
    public int readConfig(int offset) {
        return 0;  // no configuration space
    }

    /** Fills the chain's writable part (up to the per-request limit) with random bytes. */
    @Override
    protected long serve(DescriptorChain c) {
        byte[] random = new byte[(int) Math.min(c.writableLength(), MAX_BYTES_PER_REQUEST)];
        entropy.accept(random);
        c.write(mem(), 0, random);
        return random.length;
    }
}
