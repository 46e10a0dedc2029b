package io.jkvm.vmm.boot;

/** An input file a loader cannot boot; the message names the file and the field ("bzImage /x: setup header version 0x0204 < 2.06"). */
public final class BootException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BootException(String message) {
        super(message);
    }
}
