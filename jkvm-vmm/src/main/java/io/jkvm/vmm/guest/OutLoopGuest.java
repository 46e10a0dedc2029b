package io.jkvm.vmm.guest;

/**
 * The guest of {@code jkvm bench exit-latency}: an endless real-mode loop of {@code out}, so that every
 * KVM_RUN returns with one KVM_EXIT_IO after two guest instructions. The same four bytes are in
 * {@code src/main/c/exit_latency.c}: Java and C time the very same guest.
 *
 * <pre>
 *   1000: e6 10        out  %al, $0x10      ; KVM_EXIT_IO, OUT, port 0x10, size 1
 *   1002: eb fc        jmp  0x1000
 * </pre>
 */
public final class OutLoopGuest {
    private OutLoopGuest() {}

    public static final int PORT = 0x10;

    public static byte[] image() {
        return new byte[] {(byte) 0xe6, 0x10, (byte) 0xeb, (byte) 0xfc};
    }
}
