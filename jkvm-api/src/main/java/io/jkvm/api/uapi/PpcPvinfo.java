package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_ppc_pvinfo}: KVM_PPC_GET_PVINFO (§4.47), powerpc only; x86 hosts reject the ioctl. */
public record PpcPvinfo(int flags, int[] hcall) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"), MemoryLayout.sequenceLayout(4, JAVA_INT).withName("hcall"),
            MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("pad")).withName("kvm_ppc_pvinfo");

    public PpcPvinfo {
        hcall = hcall.clone();
    }

    @Override
    public int[] hcall() {
        return hcall.clone();
    }
}
