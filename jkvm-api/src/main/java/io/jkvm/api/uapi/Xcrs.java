package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * {@code struct kvm_xcrs}: KVM_GET/SET_XCRS (§4.44–4.45). At most {@link #KVM_MAX_XCRS} entries; Linux
 * rejects {@code nr_xcrs > KVM_MAX_XCRS} and non-zero flags with EINVAL.
 */
public record Xcrs(int nr_xcrs, int flags, List<Xcr> xcrs) {

    public static final int KVM_MAX_XCRS = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nr_xcrs"), JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(KVM_MAX_XCRS, Xcr.LAYOUT).withName("xcrs"),
            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("padding")).withName("kvm_xcrs");

    public Xcrs {
        xcrs = List.copyOf(xcrs);
    }

    public static Xcrs of(Xcr... xcrs) {
        return new Xcrs(xcrs.length, 0, List.of(xcrs));
    }

    /** Reads nr_xcrs entries (clamped to the array's 16). */
    public static Xcrs read(MemorySegment m) {
        int n = Mem.u32(m, 0);
        Xcr[] x = new Xcr[Math.max(0, Math.min(n, KVM_MAX_XCRS))];
        for (int i = 0; i < x.length; i++) x[i] = new Xcr(Mem.u32(m, 8 + 16L * i), Mem.u32(m, 12 + 16L * i), Mem.u64(m, 16 + 16L * i));
        return new Xcrs(n, Mem.u32(m, 4), List.of(x));
    }

    public void write(MemorySegment m) {
        Mem.u32(m, 0, nr_xcrs);
        Mem.u32(m, 4, flags);
        for (int i = 0; i < Math.min(xcrs.size(), KVM_MAX_XCRS); i++) {
            Xcr x = xcrs.get(i);
            Mem.u32(m, 8 + 16L * i, x.xcr());
            Mem.u32(m, 12 + 16L * i, x.reserved());
            Mem.u64(m, 16 + 16L * i, x.value());
        }
    }

    /** The value of XCR {@code n}, or -1 when not present. */
    public long value(int n) {
        for (Xcr x : xcrs) if (x.xcr() == n) return x.value();
        return -1;
    }
}
