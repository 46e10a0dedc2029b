package io.jkvm.vmm.vstate;

/**
 * A device on a {@link Bus}: registers in, registers out. {@code offset} is relative to the base the device
 * was registered at; {@code size} is the access width in bytes (1, 2, 4 or 8). Implementations are pure
 * models: no threads, no fds. The bus serialises every access to one device on the device's monitor, so a
 * device that also takes input from another thread (a console) synchronises on itself for that input.
 */
public interface BusDevice {
    /** The value a read of {@code size} bytes at {@code offset} returns (low {@code 8*size} bits used). */
    long read(long offset, int size);

    /** A write of the low {@code 8*size} bits of {@code value} at {@code offset}. */
    void write(long offset, int size, long value);
}
