package io.jkvm.java;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.jkvm.api.Errno;
import io.jkvm.api.KvmException;
import io.jkvm.api.uapi.Fpu;
import io.jkvm.api.uapi.Xcr;
import io.jkvm.api.uapi.Xcrs;
import io.jkvm.api.uapi.Xsave;
import io.jkvm.x86.Cpu;
import io.jkvm.x86.fpu.FpuState;
import io.jkvm.x86.insn.XState;
import java.lang.foreign.MemorySegment;

/** KVM_GET/SET_FPU, KVM_GET/SET_XSAVE and KVM_GET/SET_XCRS on the core's {@link FpuState} and XCR0. */
final class FpuMapping {
    private FpuMapping() {}

    static Fpu getFpu(Cpu cpu) {
        MemorySegment img = MemorySegment.ofArray(new long[64]);
        cpu.fpu.writeFxsave(img, 0);
        byte[] fpr = new byte[128], xmm = new byte[256];
        MemorySegment.copy(img, JAVA_BYTE, 32, fpr, 0, 128);
        MemorySegment.copy(img, JAVA_BYTE, 160, xmm, 0, 256);
        FpuState f = cpu.fpu;
        // Linux's KVM_GET_FPU copies every FXSAVE field but MXCSR, which it leaves 0 (and SET_FPU ignores)
        return new Fpu(fpr, f.fcw, f.fsw, f.ftw, f.fop, f.fip, f.fdp, xmm, 0);
    }

    static void setFpu(Cpu cpu, Fpu f) {
        MemorySegment img = MemorySegment.ofArray(new byte[512]);
        cpu.fpu.writeFxsave(img, 0);
        img.set(JAVA_SHORT_UNALIGNED, 0, (short) f.fcw());
        img.set(JAVA_SHORT_UNALIGNED, 2, (short) f.fsw());
        img.set(JAVA_BYTE, 4, (byte) f.ftwx());
        img.set(JAVA_SHORT_UNALIGNED, 6, (short) f.last_opcode());
        img.set(JAVA_LONG_UNALIGNED, 8, f.last_ip());
        img.set(JAVA_LONG_UNALIGNED, 16, f.last_dp());
        MemorySegment.copy(f.fpr(), 0, img, JAVA_BYTE, 32, 128);
        MemorySegment.copy(f.xmm(), 0, img, JAVA_BYTE, 160, 256);
        cpu.fpu.readFxsave(img, 0);      // MXCSR stays as it was: the image carries the current one
    }

    static Xsave getXsave(Cpu cpu) {
        MemorySegment img = MemorySegment.ofArray(new int[1024]);
        cpu.fpu.writeFxsave(img, 0);
        img.set(JAVA_LONG_UNALIGNED, 512, 3L);   // XSTATE_BV: x87 and SSE
        return Xsave.read(img);
    }

    static void setXsave(Cpu cpu, Xsave x) {
        MemorySegment img = MemorySegment.ofArray(x.region());
        long bv = img.get(JAVA_LONG_UNALIGNED, 512);
        if ((bv & ~3L) != 0) throw new KvmException(Errno.EINVAL, "KVM_SET_XSAVE: XSTATE_BV has unsupported components " + Long.toHexString(bv));
        FpuState probe = new FpuState();
        if (!probe.readFxsave(img, 0)) throw new KvmException(Errno.EINVAL, "KVM_SET_XSAVE: reserved MXCSR bits");
        cpu.fpu.readFxsave(img, 0);
        if ((bv & 1) == 0) {                 // x87 in its initial state
            java.util.Arrays.fill(cpu.fpu.mant, 0);
            java.util.Arrays.fill(cpu.fpu.sexp, 0);
            cpu.fpu.fcw = 0x37f;
            cpu.fpu.fsw = cpu.fpu.ftw = cpu.fpu.fop = 0;
            cpu.fpu.fip = cpu.fpu.fdp = 0;
        }
        if ((bv & 2) == 0) java.util.Arrays.fill(cpu.fpu.xmm, 0);
    }

    static Xcrs getXcrs(Cpu cpu) {
        return Xcrs.of(new Xcr(0, cpu.xcr0));
    }

    static void setXcrs(Cpu cpu, Xcrs x) {
        if (x.flags() != 0 || x.nr_xcrs() > Xcrs.KVM_MAX_XCRS) throw new KvmException(Errno.EINVAL, "KVM_SET_XCRS: bad flags or count");
        for (int k = 0; k < Math.min(x.nr_xcrs(), x.xcrs().size()); k++) {
            Xcr e = x.xcrs().get(k);
            if (!XState.setXcr0(cpu, e.xcr(), e.value())) throw new KvmException(Errno.EINVAL, "KVM_SET_XCRS: XCR" + e.xcr() + " = " + Long.toHexString(e.value()));
        }
    }
}
