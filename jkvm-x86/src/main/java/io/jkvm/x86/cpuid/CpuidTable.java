package io.jkvm.x86.cpuid;

/**
 * The CPUID answers a guest sees: the entries of KVM_SET_CPUID2 (function, index, flags, eax…edx).
 * Lookups follow KVM: an entry matches its function and, when flagged significant, its index; a leaf
 * with no entry answers zeros, except that an Intel-vendor guest asking beyond the basic range gets the
 * highest basic leaf, as Intel CPUs do.
 */
public final class CpuidTable {
    public static final int SIGNIFICANT_INDEX = 1;

    private final int[][] entries;   // {function, index, flags, eax, ebx, ecx, edx}
    private final boolean amd;

    public CpuidTable(int[][] entries) {
        this.entries = entries.clone();
        int[] v = find(0, 0);
        this.amd = v != null && v[4] == 0x68747541 && v[6] == 0x69746e65 && v[5] == 0x444d4163;
    }

    /**
     * True when leaf 0 says "AuthenticAMD": where the SDM and APM leave a choice to the processor, jkvm
     * makes the one the guest's vendor makes (Intel's otherwise).
     */
    public boolean amd() {
        return amd;
    }

    public static final CpuidTable EMPTY = new CpuidTable(new int[0][]);

    public int size() {
        return entries.length;
    }

    public int[] entry(int k) {
        return entries[k].clone();
    }

    private int[] find(int fn, int idx) {
        for (int[] e : entries) {
            if (e[0] == fn && ((e[2] & SIGNIFICANT_INDEX) == 0 || e[1] == idx)) return e;
        }
        return null;
    }

    /** EAX of the entry for exactly (fn, idx), or 0 when the table has none (no out-of-range rules). */
    public int exactEax(int fn, int idx) {
        int[] e = find(fn, idx);
        return e == null ? 0 : e[3];
    }

    /** Fills {@code out[0..3]} with EAX EBX ECX EDX for CPUID(fn, idx). */
    public void lookup(int fn, int idx, int[] out) {
        int[] e = find(fn, idx);
        if (e == null && intel()) {
            int[] basic = find(0, 0);
            int[] ext = find(0x80000000, 0);
            int maxBasic = basic == null ? 0 : basic[3];
            int maxExt = ext == null ? 0x80000000 : ext[3];
            boolean beyond = Integer.compareUnsigned(fn, 0x80000000) >= 0 ? Integer.compareUnsigned(fn, maxExt) > 0
                    : Integer.compareUnsigned(fn, maxBasic) > 0;
            if (beyond) e = find(maxBasic, idx);
        }
        if (e == null) {
            out[0] = out[1] = out[2] = out[3] = 0;
            return;
        }
        out[0] = e[3];
        out[1] = e[4];
        out[2] = e[5];
        out[3] = e[6];
    }

    /** True when leaf 0 says "GenuineIntel". */
    private boolean intel() {
        int[] v = find(0, 0);
        return v != null && v[4] == 0x756e6547 && v[6] == 0x49656e69 && v[5] == 0x6c65746e;
    }

    /** True when leaf {@code fn} register {@code reg} (0..3 = eax..edx) has bit {@code bit} set. */
    public boolean has(int fn, int idx, int reg, int bit) {
        int[] e = find(fn, idx);
        return e != null && ((e[3 + reg] >>> bit) & 1) != 0;
    }
}
