package io.jkvm.vmm.devices.virtio;

/**
 * The driver broke the virtio protocol (a descriptor outside RAM, a loop in a chain, an avail index that ran
 * ahead by more than the queue size). The transport answers with DEVICE_NEEDS_RESET (virtio 1.x §2.1.2)
 * and stops using the device until the driver resets it; the VMM itself carries on.
 */
public final class VirtioException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VirtioException(String message) {
        super(message);
    }
}
