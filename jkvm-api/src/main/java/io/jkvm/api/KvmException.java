package io.jkvm.api;

/**
 * A KVM ioctl failed: carries the errno Linux returns for the same call (seed 003 §4: "Returns: -1 on
 * error", with errno set). Both backends throw it with the same errno for the same misuse.
 */
public final class KvmException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public KvmException(int errno, String message) {
        super(format(errno, message));
        this.errno = errno;
    }

    public KvmException(Errno errno, String message) {
        this(errno.number, message);
    }

    /** The positive errno number. */
    public int errnoNumber() {
        return errno;
    }

    /** The errno as a constant, or null when jkvm does not name this number. */
    public Errno errno() {
        return Errno.of(errno);
    }

    /** The errno's symbolic name ("EINVAL"), or "errno N" for a number jkvm does not name. */
    public String errnoName() {
        Errno e = Errno.of(errno);
        return e != null ? e.name() : "errno " + errno;
    }

    private static String format(int errno, String message) {
        Errno e = Errno.of(errno);
        String name = e != null ? e.name() + " (" + e.description + ")" : "errno " + errno;
        return message + ": " + name;
    }
}
