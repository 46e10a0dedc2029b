package io.jkvm.vmm.boot;

import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.vstate.GuestMemory;
import java.nio.file.Path;

/** Places an initial ramdisk as high as the kernel allows, page-aligned, above the kernel (boot.rst "initrd_addr_max"). */
final class Initrd {
    private Initrd() {}

    /** Loads {@code file} below min(initrd_addr_max + 1, end of low RAM) and above {@code kernelEnd}; returns its address. */
    static long load(GuestMemory mem, Path file, long memSize, long initrdAddrMax, long kernelEnd, byte[] data) {
        long limit = Math.min(initrdAddrMax + 1, Layout.lowRamEnd(memSize));
        long addr = (limit - data.length) & ~0xfffL;
        if (data.length > limit || addr < kernelEnd)
            throw new BootException(String.format("initrd %s: %d bytes do not fit between the kernel's end %#x and %#x "
                    + "(min of initrd_addr_max %#x + 1 and the end of low RAM); raise --mem", file, data.length, kernelEnd,
                    limit, initrdAddrMax));
        mem.write(addr, data);
        return addr;
    }
}
