package io.jkvm.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of an ELF executable a loader needs (System V ABI; names from Linux's {@code include/uapi/linux/elf.h}):
 * class, machine, entry and the PT_LOAD program headers, each checked to lie inside the file.
 */
public record Elf(int elfClass, int machine, long entry, List<Load> loads) {
    public static final int ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1, ET_EXEC = 2, EM_386 = 3, EM_X86_64 = 62,
            PT_LOAD = 1;

    /** One PT_LOAD segment. */
    public record Load(long offset, long vaddr, long paddr, long filesz, long memsz) {}

    public static boolean isElf(byte[] b) {
        return b.length >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
    }

    /** Parses {@code b}; {@code what} ("vmlinux /path") prefixes every error. */
    public static Elf parse(String what, byte[] b) {
        if (!isElf(b) || b.length < 52) throw new BootException(what + ": not an ELF file (e_ident magic)");
        int cls = b[4];
        if (cls != ELFCLASS32 && cls != ELFCLASS64) throw new BootException(what + ": e_ident[EI_CLASS] " + cls + " unknown");
        if (b[5] != ELFDATA2LSB) throw new BootException(what + ": e_ident[EI_DATA] is not little-endian");
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        boolean is64 = cls == ELFCLASS64;
        if (is64 && b.length < 64) throw new BootException(what + ": ELF header truncated");
        int type = h.getShort(16) & 0xffff, machine = h.getShort(18) & 0xffff;
        if (type != ET_EXEC) throw new BootException(what + ": e_type " + type + " is not ET_EXEC");
        long entry = is64 ? h.getLong(24) : h.getInt(24) & 0xffffffffL;
        long phoff = is64 ? h.getLong(32) : h.getInt(28) & 0xffffffffL;
        int phentsize = h.getShort(is64 ? 54 : 42) & 0xffff, phnum = h.getShort(is64 ? 56 : 44) & 0xffff;
        if (phentsize < (is64 ? 56 : 32) || phoff < 0 || phoff + (long) phentsize * phnum > b.length)
            throw new BootException(what + ": program headers (e_phoff " + phoff + ", e_phnum " + phnum + ") outside the file");
        List<Load> loads = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) phentsize * i);
            if (h.getInt(p) != PT_LOAD) continue;
            Load l = is64
                    ? new Load(h.getLong(p + 8), h.getLong(p + 16), h.getLong(p + 24), h.getLong(p + 32), h.getLong(p + 40))
                    : new Load(u32(h, p + 4), u32(h, p + 8), u32(h, p + 12), u32(h, p + 16), u32(h, p + 20));
            if (l.offset < 0 || l.filesz < 0 || l.offset + l.filesz > b.length || l.offset + l.filesz < 0)
                throw new BootException(what + ": program header " + i + " (p_offset " + l.offset + ", p_filesz " + l.filesz + ") outside the file");
            if (l.memsz < l.filesz) throw new BootException(what + ": program header " + i + ": p_memsz < p_filesz");
            loads.add(l);
        }
        if (loads.isEmpty()) throw new BootException(what + ": no PT_LOAD program header");
        return new Elf(cls, machine, entry, List.copyOf(loads));
    }

    private static long u32(ByteBuffer h, int at) {
        return h.getInt(at) & 0xffffffffL;
    }
}
