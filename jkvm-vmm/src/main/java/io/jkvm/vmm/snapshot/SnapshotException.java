package io.jkvm.vmm.snapshot;

/** A snapshot that cannot be written or read back; the message names the file and what is wrong with it. */
public final class SnapshotException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
