package io.jkvm.vmm.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The compute-loop guest of {@code jkvm bench loop}: a multiboot v1 image (a.out kludge, loaded at 1 MiB)
 * whose 32-bit code runs a five-instruction integer loop {@code iterations} times, then writes 0 to
 * isa-debug-exit (port 0xf4) and halts. The same bytes run on the java backend and under QEMU.
 *
 * <pre>
 *   mov  $iterations, %ecx
 * 1: add %ecx, %eax
 *   xor  %edx, %eax
 *   inc  %edx
 *   dec  %ecx
 *   jnz  1b
 *   xor  %eax, %eax
 *   out  %al, $0xf4
 *   hlt
 * </pre>
 */
public final class LoopGuest {
    private LoopGuest() {}

    public static final long LOAD = 0x100000, ENTRY = LOAD + 32;
    /** Instructions per loop iteration. */
    public static final int PER_ITERATION = 5;

    public static byte[] image(int iterations) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        int magic = 0x1BADB002, flags = 1 << 16;
        b.putInt(magic).putInt(flags).putInt(-(magic + flags));
        b.putInt((int) LOAD).putInt((int) LOAD).putInt(0).putInt(0).putInt((int) ENTRY);   // header, load, load_end, bss_end, entry
        b.put((byte) 0xb9).putInt(iterations);                 // mov $iterations, %ecx
        b.put(new byte[] {0x01, (byte) 0xc8});                  // add %ecx, %eax
        b.put(new byte[] {0x31, (byte) 0xd0});                  // xor %edx, %eax
        b.put((byte) 0x42);                                      // inc %edx
        b.put((byte) 0x49);                                      // dec %ecx
        b.put(new byte[] {0x75, (byte) 0xf8});                  // jnz 1b
        b.put(new byte[] {0x31, (byte) 0xc0});                  // xor %eax, %eax
        b.put(new byte[] {(byte) 0xe6, (byte) 0xf4});           // out %al, $0xf4
        b.put((byte) 0xf4);                                      // hlt
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** Guest instructions one run executes (the loop plus the few around it). */
    public static long instructions(int iterations) {
        return (long) iterations * PER_ITERATION + 4;
    }
}
