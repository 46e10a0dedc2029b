package io.jkvm.vmm.guest;

import java.nio.charset.StandardCharsets;

/**
 * The guest of {@code jkvm hello}: 16-bit real-mode code that writes {@link #GREETING} to the debug-console
 * port {@link #PORT} with one {@code rep outsb} and halts. Hand-encoded, so no assembler is needed at run
 * time; {@code GuestBytesTest} checks the bytes against GNU as. Six instructions, all at CPL0: few on
 * purpose, since nested-PVM hosts emulate guest kernel code one instruction at a time.
 *
 * <pre>
 *   1000: be 0d 10     mov  $0x100d, %si    ; DS:SI = the greeting (DS base is 0 after reset)
 *   1003: b9 19 00     mov  $25, %cx        ; its length
 *   1006: ba e9 00     mov  $0xe9, %dx      ; port 0xe9, the Bochs/QEMU debug console
 *   1009: fc           cld                  ; SI counts up
 *   100a: f3 6e        rep outsb            ; KVM_EXIT_IO, OUT, size 1, count 25 (a backend may split it)
 *   100c: f4           hlt                  ; KVM_EXIT_HLT: done
 *   100d: "Hello from a jkvm guest!\n"
 * </pre>
 */
public final class HelloGuest {
    private HelloGuest() {}

    public static final String GREETING = "Hello from a jkvm guest!\n";
    public static final int PORT = 0xe9;

    private static final byte[] CODE = {
            (byte) 0xbe, 0x0d, 0x10,  // mov  $0x100d, %si
            (byte) 0xb9, 0x19, 0x00,  // mov  $25, %cx
            (byte) 0xba, (byte) 0xe9, 0x00,  // mov $0xe9, %dx
            (byte) 0xfc,              // cld
            (byte) 0xf3, 0x6e,        // rep outsb
            (byte) 0xf4,              // hlt
    };

    /** Code followed by the greeting, to be loaded at {@link RealModeMachine#CODE_GPA}. */
    public static byte[] image() {
        byte[] text = GREETING.getBytes(StandardCharsets.US_ASCII);
        byte[] image = new byte[CODE.length + text.length];
        System.arraycopy(CODE, 0, image, 0, CODE.length);
        System.arraycopy(text, 0, image, CODE.length, text.length);
        return image;
    }

    /** Offset of the HLT in the image: RIP is just past it when the guest has halted. */
    public static final int HLT_OFFSET = 0x0c;
}
