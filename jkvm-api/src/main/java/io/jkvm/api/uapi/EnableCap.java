package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_enable_cap}: KVM_ENABLE_CAP (§4.37). {@code flags} must be 0; {@code args} has 4 entries. */
public record EnableCap(int cap, int flags, long[] args) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("cap"), JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("args"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("pad")).withName("kvm_enable_cap");

    public EnableCap {
        if (args.length != 4) throw new IllegalArgumentException("args has 4 entries");
        args = args.clone();
    }

    @Override
    public long[] args() {
        return args.clone();
    }

    public static EnableCap of(io.jkvm.api.Cap cap, long... args) {
        long[] a = new long[4];
        System.arraycopy(args, 0, a, 0, args.length);
        return new EnableCap(cap.number, 0, a);
    }

    public void write(MemorySegment m) {
        Mem.u32(m, 0, cap);
        Mem.u32(m, 4, flags);
        for (int i = 0; i < 4; i++) Mem.u64(m, 8 + 8L * i, args[i]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnableCap e && cap == e.cap && flags == e.flags && java.util.Arrays.equals(args, e.args);
    }

    @Override
    public int hashCode() {
        return cap * 31 + flags + java.util.Arrays.hashCode(args);
    }

    @Override
    public String toString() {
        return "EnableCap[cap=" + cap + ", flags=" + flags + ", args=" + java.util.Arrays.toString(args) + "]";
    }
}
