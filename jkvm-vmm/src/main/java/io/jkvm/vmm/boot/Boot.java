package io.jkvm.vmm.boot;

import io.jkvm.vmm.arch.x86.BootCpu;

/**
 * What a loader did: the entry state, and where it put the kernel, the initrd and the command line (the
 * machine reports these through fw_cfg).
 */
public record Boot(BootCpu.Entry entry, long kernelStart, long kernelSize, long initrdAddr, long initrdSize,
                   long cmdlineAddr, long cmdlineSize) {}
