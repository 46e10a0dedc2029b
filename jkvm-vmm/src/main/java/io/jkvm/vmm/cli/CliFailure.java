package io.jkvm.vmm.cli;

/**
 * A failure the user can act on (a guest that stopped the wrong way, a missing tool): {@link Main} prints
 * its message, without a stack trace, and exits with {@link #exitCode()}.
 */
public final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public CliFailure(String message) {
        this(message, Main.EXIT_FAILURE);
    }

    public CliFailure(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
