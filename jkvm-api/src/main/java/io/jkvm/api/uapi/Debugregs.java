package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * {@code struct kvm_debugregs}: DR0–DR3, DR6, DR7 (KVM_GET/SET_DEBUGREGS, §4.33–4.34). {@code flags} must
 * be 0 on set (EINVAL otherwise).
 */
public record Debugregs(long[] db, long dr6, long dr7, long flags) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("db"), JAVA_LONG.withName("dr6"),
            JAVA_LONG.withName("dr7"), JAVA_LONG.withName("flags"),
            MemoryLayout.sequenceLayout(9, JAVA_LONG).withName("reserved")).withName("kvm_debugregs");

    public Debugregs {
        if (db.length != 4) throw new IllegalArgumentException("db has 4 entries");
        db = db.clone();
    }

    @Override
    public long[] db() {
        return db.clone();
    }

    public static Debugregs read(MemorySegment m) {
        return new Debugregs(new long[] {Mem.u64(m, 0), Mem.u64(m, 8), Mem.u64(m, 16), Mem.u64(m, 24)},
                Mem.u64(m, 32), Mem.u64(m, 40), Mem.u64(m, 48));
    }

    public void write(MemorySegment m) {
        for (int i = 0; i < 4; i++) Mem.u64(m, 8L * i, db[i]);
        Mem.u64(m, 32, dr6);
        Mem.u64(m, 40, dr7);
        Mem.u64(m, 48, flags);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Debugregs d && Arrays.equals(db, d.db) && dr6 == d.dr6 && dr7 == d.dr7 && flags == d.flags;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(db) * 31 + Long.hashCode(dr6 ^ dr7 ^ flags);
    }

    @Override
    public String toString() {
        return String.format("Debugregs[db=[%#x, %#x, %#x, %#x], dr6=%#x, dr7=%#x, flags=%d]",
                db[0], db[1], db[2], db[3], dr6, dr7, flags);
    }
}
