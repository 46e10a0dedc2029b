package io.jkvm.vmm.devices.virtio;

/**
 * One buffer of a descriptor chain ({@code struct virtq_desc}, virtio 1.x §2.7.5), already checked to lie in
 * guest RAM. {@code writable} is VIRTQ_DESC_F_WRITE: the device writes it, otherwise it reads it.
 */
public record Descriptor(long gpa, int len, boolean writable) {
    public long length() {
        return Integer.toUnsignedLong(len);
    }
}
