package io.jkvm.vmm.vstate;

/** A guest-supplied address or length outside guest RAM. Devices turn it into a device error, never a VMM crash. */
public final class GuestMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GuestMemoryException(String message) {
        super(message);
    }
}
