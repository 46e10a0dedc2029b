package io.jkvm.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Minimal ELF executables made in the test: one PT_LOAD segment holding {@code code} at {@code paddr}. */
final class ElfImages {
    private ElfImages() {}

    static byte[] elf64(long entry, long vaddr, long paddr, byte[] code, long memsz) {
        ByteBuffer b = ByteBuffer.allocate(0x1000 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) Elf.ET_EXEC).putShort(18, (short) Elf.EM_X86_64).putInt(20, 1).putLong(24, entry)
                .putLong(32, 64).putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, Elf.PT_LOAD).putInt(68, 7).putLong(72, 0x1000).putLong(80, vaddr).putLong(88, paddr)
                .putLong(96, code.length).putLong(104, memsz).putLong(112, 0x1000);
        b.position(0x1000);
        b.put(code);
        return b.array();
    }

    static byte[] elf32(int machine, long entry, long paddr, byte[] code, long memsz) {
        ByteBuffer b = ByteBuffer.allocate(0x1000 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0});
        b.putShort(16, (short) Elf.ET_EXEC).putShort(18, (short) machine).putInt(20, 1).putInt(24, (int) entry)
                .putInt(28, 52).putShort(40, (short) 52).putShort(42, (short) 32).putShort(44, (short) 1);
        b.putInt(52, Elf.PT_LOAD).putInt(56, 0x1000).putInt(60, (int) paddr).putInt(64, (int) paddr)
                .putInt(68, code.length).putInt(72, (int) memsz).putInt(76, 7).putInt(80, 0x1000);
        b.position(0x1000);
        b.put(code);
        return b.array();
    }
}
