package io.jkvm.x86.mmu;

import static io.jkvm.x86.mmu.Access.*;

import io.jkvm.x86.Memory;
import io.jkvm.x86.exc.Vector;

/**
 * The page walk (SDM Vol. 3A ch. 4): no paging, 32-bit paging (with PSE and PSE-36 4 MiB pages), PAE, and
 * 4-level IA-32e paging; U/S, R/W with CR0.WP, NX with EFER.NXE, accessed and dirty bits, reserved-bit
 * checks against the physical-address width. A failed walk raises #PF with the SDM's error code and CR2.
 */
public final class Paging {
    /** Physical-address width jkvm reports in CPUID 0x80000008 (as QEMU TCG does). */
    public static final int MAXPHYADDR = 40;
    private static final long PHYS_MASK = (1L << MAXPHYADDR) - 1;
    private static final long ADDR_4K = PHYS_MASK & ~0xfffL;
    private static final long P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, NX = 1L << 63;
    /** Bits 51:MAXPHYADDR of a 64-bit entry are reserved. */
    private static final long RSVD_HIGH = ((1L << 52) - 1) & ~PHYS_MASK;

    private final Memory m;

    /** Result of {@link #probe}: valid, and the combined permissions along the walk. */
    public boolean probeValid, probeWritable, probeUser;

    public Paging(Memory m) {
        this.m = m;
    }

    private boolean paging() {
        return (m.cr0 & (1L << 31)) != 0;
    }

    /** Linear → physical for an access of {@code kind}; raises #PF (and sets CR2) on failure. */
    public long translate(long la, int kind, boolean user) {
        if (!paging()) return m.mode64 ? la : la & 0xffffffffL;
        long r = walk(la, kind, user, true);
        if (r < 0) {
            m.cr2 = la;
            throw m.fault(Vector.PF, (int) -r - 1);
        }
        return r;
    }

    /** KVM_TRANSLATE: walks without faulting or setting A/D bits; returns the physical address or -1. */
    public long probe(long la) {
        if (!paging()) {
            probeValid = probeWritable = probeUser = true;
            return la & (m.mode64 ? -1L : 0xffffffffL);
        }
        long r = walk(la, READ, false, false);
        probeValid = r >= 0;
        return probeValid ? r : -1;
    }

    /** Returns the physical address, or {@code -(errorCode + 1)}. */
    private long walk(long la, int kind, boolean user, boolean commit) {
        boolean wp = (m.cr0 & (1L << 16)) != 0;
        boolean nxe = (m.efer & (1L << 11)) != 0;
        boolean pae = (m.cr4 & (1L << 5)) != 0;
        int ec = (kind == WRITE ? PF_W : 0) | (user ? PF_U : 0) | (kind == EXEC && nxe ? PF_I : 0);
        if ((m.efer & (1L << 10)) != 0) return walk64(la, kind, user, commit, wp, nxe, ec);
        if (pae) return walkPae(la, kind, user, commit, wp, nxe, ec);
        return walk32(la, kind, user, commit, wp, ec);
    }

    private long walk64(long la, int kind, boolean user, boolean commit, boolean wp, boolean nxe, int ec) {
        long rsvd = RSVD_HIGH | (nxe ? 0 : NX);
        long[] addr = this.addr;
        long table = m.cr3 & ADDR_4K;
        long perm = RW | US, nx = 0;
        for (int level = 3; level >= 0; level--) {
            long ea = table + (((la >>> (12 + 9 * level)) & 0x1ff) << 3);
            long e = m.physRead64(ea);
            if ((e & P) == 0) return -(ec + 1);
            boolean leaf = level == 0 || (level <= 2 && (e & PS) != 0);
            long r = rsvd | (level == 3 ? PS : 0);
            if (leaf && level == 2) r |= 0x3fffe000L & PHYS_MASK;          // 1 GiB page: bits 29:13 reserved
            else if (leaf && level == 1) r |= 0x1fe000L;                     // 2 MiB page: bits 20:13 reserved
            if ((e & r) != 0) return -(ec + PF_P + PF_RSVD + 1);
            perm &= e;
            nx |= e & NX;
            addr[level] = ea;
            ent[level] = e;
            if (leaf) {
                long pa = switch (level) {
                    case 2 -> (e & PHYS_MASK & ~0x3fffffffL) | (la & 0x3fffffffL);
                    case 1 -> (e & PHYS_MASK & ~0x1fffffL) | (la & 0x1fffffL);
                    default -> (e & ADDR_4K) | (la & 0xfff);
                };
                return finish(pa, kind, user, commit, wp, nxe, ec, perm, nx != 0, 3, level);
            }
            table = e & ADDR_4K;
        }
        throw new AssertionError();
    }

    private long walkPae(long la, int kind, boolean user, boolean commit, boolean wp, boolean nxe, int ec) {
        long rsvd = RSVD_HIGH | (nxe ? 0 : NX);
        long pdpte = m.physRead64((m.cr3 & 0xffffffe0L) + ((la >>> 30) & 3) * 8);
        if ((pdpte & P) == 0) return -(ec + 1);
        if ((pdpte & (RSVD_HIGH | NX | 0x1e6)) != 0) return -(ec + PF_P + PF_RSVD + 1);
        long perm = RW | US, nx = 0;
        long table = pdpte & ADDR_4K;
        for (int level = 1; level >= 0; level--) {
            long ea = table + (((la >>> (12 + 9 * level)) & 0x1ff) << 3);
            long e = m.physRead64(ea);
            if ((e & P) == 0) return -(ec + 1);
            boolean leaf = level == 0 || (e & PS) != 0;
            long r = rsvd | (leaf && level == 1 ? 0x1fe000L : 0);
            if ((e & r) != 0) return -(ec + PF_P + PF_RSVD + 1);
            perm &= e;
            nx |= e & NX;
            addr[level] = ea;
            ent[level] = e;
            if (leaf) {
                long pa = level == 1 ? (e & PHYS_MASK & ~0x1fffffL) | (la & 0x1fffffL) : (e & ADDR_4K) | (la & 0xfff);
                return finish(pa, kind, user, commit, wp, nxe, ec, perm, nx != 0, 1, level);
            }
            table = e & ADDR_4K;
        }
        throw new AssertionError();
    }

    private long walk32(long la, int kind, boolean user, boolean commit, boolean wp, int ec) {
        boolean pse = (m.cr4 & (1L << 4)) != 0;
        long pdeAddr = (m.cr3 & 0xfffff000L) + ((la >>> 22) & 0x3ff) * 4;
        long pde = m.physRead32(pdeAddr) & 0xffffffffL;
        if ((pde & P) == 0) return -(ec + 1);
        addr[1] = pdeAddr;
        ent[1] = pde;
        if (pse && (pde & PS) != 0) {
            if ((pde & (1L << 21)) != 0) return -(ec + PF_P + PF_RSVD + 1);   // PSE-36: bit 21 reserved
            long pa = (pde & 0xffc00000L) | ((pde & 0x1fe000L) << 19) | (la & 0x3fffffL);
            return finish(pa & PHYS_MASK, kind, user, commit, wp, false, ec, pde, false, 1, 1);
        }
        long pteAddr = (pde & 0xfffff000L) + ((la >>> 12) & 0x3ff) * 4;
        long pte = m.physRead32(pteAddr) & 0xffffffffL;
        if ((pte & P) == 0) return -(ec + 1);
        addr[0] = pteAddr;
        ent[0] = pte;
        return finish((pte & 0xfffff000L) | (la & 0xfff), kind, user, commit, wp, false, ec, pde & pte, false, 1, 0);
    }

    private final long[] addr = new long[4], ent = new long[4];

    /** Permission checks on the combined bits, then the accessed/dirty updates on levels [top..leaf]. */
    private long finish(long pa, int kind, boolean user, boolean commit, boolean wp, boolean nxe, int ec, long perm,
                        boolean nx, int top, int leaf) {
        boolean writable = (perm & RW) != 0, userOk = (perm & US) != 0;
        if (!commit) {
            probeWritable = writable;
            probeUser = userOk;
            return pa;
        }
        if (user && !userOk) return -(ec + PF_P + 1);
        if (kind == WRITE && !writable && (user || wp)) return -(ec + PF_P + 1);
        if (kind == EXEC && nx && nxe) return -(ec + PF_P + 1);
        boolean wide = (m.efer & (1L << 10)) != 0 || (m.cr4 & (1L << 5)) != 0;
        for (int level = top; level >= leaf; level--) {
            long e = ent[level];
            long want = e | A | (level == leaf && kind == WRITE ? D : 0);
            if (want != e) {
                if (wide) m.physWrite64(addr[level], want);
                else m.physWrite32(addr[level], (int) want);
            }
        }
        return pa;
    }
}
