package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * {@code struct kvm_fpu}: x87, MMX and SSE state in FXSAVE terms (§4.22–4.23). {@code fpr} holds the
 * eight 16-byte ST/MM slots (8 × 16 bytes, 80-bit values in the low 10), {@code xmm} the sixteen XMM
 * registers (16 × 16 bytes), {@code ftwx} the abridged tag word.
 */
public record Fpu(byte[] fpr, int fcw, int fsw, int ftwx, int last_opcode, long last_ip, long last_dp,
                  byte[] xmm, int mxcsr) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("fpr"),
            JAVA_SHORT.withName("fcw"), JAVA_SHORT.withName("fsw"), JAVA_BYTE.withName("ftwx"),
            JAVA_BYTE.withName("pad1"), JAVA_SHORT.withName("last_opcode"), JAVA_LONG.withName("last_ip"),
            JAVA_LONG.withName("last_dp"), MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("xmm"),
            JAVA_INT.withName("mxcsr"), JAVA_INT.withName("pad2")).withName("kvm_fpu");

    /** The state after reset/FNINIT: FCW 0x37f, MXCSR 0x1f80, everything else 0. */
    public static final Fpu RESET = new Fpu(new byte[128], 0x37f, 0, 0, 0, 0, 0, new byte[256], 0x1f80);

    public Fpu {
        if (fpr.length != 128 || xmm.length != 256) throw new IllegalArgumentException("fpr is 8x16, xmm 16x16 bytes");
        fpr = fpr.clone();
        xmm = xmm.clone();
    }

    @Override public byte[] fpr() { return fpr.clone(); }
    @Override public byte[] xmm() { return xmm.clone(); }

    /** The 16 bytes of XMM register {@code i}. */
    public byte[] xmm(int i) { return Arrays.copyOfRange(xmm, 16 * i, 16 * i + 16); }

    public static Fpu read(MemorySegment m) {
        return new Fpu(Mem.bytes(m, 0, 128), Mem.u16(m, 128), Mem.u16(m, 130), Mem.u8(m, 132), Mem.u16(m, 134),
                Mem.u64(m, 136), Mem.u64(m, 144), Mem.bytes(m, 152, 256), Mem.u32(m, 408));
    }

    public void write(MemorySegment m) {
        Mem.bytes(m, 0, fpr, 128);
        Mem.u16(m, 128, fcw);
        Mem.u16(m, 130, fsw);
        Mem.u8(m, 132, ftwx);
        Mem.u8(m, 133, 0);
        Mem.u16(m, 134, last_opcode);
        Mem.u64(m, 136, last_ip);
        Mem.u64(m, 144, last_dp);
        Mem.bytes(m, 152, xmm, 256);
        Mem.u32(m, 408, mxcsr);
        Mem.u32(m, 412, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fpu f && Arrays.equals(fpr, f.fpr) && fcw == f.fcw && fsw == f.fsw && ftwx == f.ftwx
                && last_opcode == f.last_opcode && last_ip == f.last_ip && last_dp == f.last_dp
                && Arrays.equals(xmm, f.xmm) && mxcsr == f.mxcsr;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(fpr), fcw, fsw, ftwx, last_opcode, last_ip, last_dp,
                Arrays.hashCode(xmm), mxcsr);
    }

    @Override
    public String toString() {
        return String.format("Fpu[fcw=%#x, fsw=%#x, ftwx=%#x, last_opcode=%#x, last_ip=%#x, last_dp=%#x, mxcsr=%#x, "
                + "fpr=%s, xmm=%s]", fcw, fsw, ftwx, last_opcode, last_ip, last_dp, mxcsr,
                HexFormat.of().formatHex(fpr), HexFormat.of().formatHex(xmm));
    }
}
