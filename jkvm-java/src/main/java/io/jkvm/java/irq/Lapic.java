package io.jkvm.java.irq;

import io.jkvm.api.uapi.LapicState;

/**
 * One vCPU's local APIC (SDM Vol. 3A ch. 11; Linux arch/x86/kvm/lapic.c): the register page in
 * kvm_lapic_state layout, interrupt acceptance (IRR → ISR by priority against PPR), EOI (with the IOAPIC
 * broadcast for level-triggered vectors), the timer in one-shot, periodic and TSC-deadline modes, and
 * the ICR that sends IPIs through the {@link IrqChip}. xAPIC MMIO and x2APIC MSRs are two views of the
 * same registers. All mutation happens under the irqchip lock.
 */
public final class Lapic {
    public static final int ID = 0x20, VERSION = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xa0, EOI = 0xb0, RRD = 0xc0,
            LDR = 0xd0, DFR = 0xe0, SVR = 0xf0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, LVT_CMCI = 0x2f0,
            ICR = 0x300, ICR2 = 0x310, LVT_TIMER = 0x320, LVT_THERMAL = 0x330, LVT_PMC = 0x340, LVT_LINT0 = 0x350,
            LVT_LINT1 = 0x360, LVT_ERROR = 0x370, TMICT = 0x380, TMCCT = 0x390, TDCR = 0x3e0, SELF_IPI = 0x3f0;
    public static final int LVT_MASKED = 1 << 16, SVR_ENABLED = 1 << 8;
    public static final long MSR_APICBASE_BSP = 1 << 8, MSR_APICBASE_EXTD = 1 << 10, MSR_APICBASE_ENABLE = 1 << 11;
    /** KVM's APIC bus runs at 1 GHz: one timer tick per ns before the divider. */
    static final long BUS_NS = 1;

    final IrqChip chip;
    public final int vcpuId;
    private final int[] regs = new int[LapicState.KVM_APIC_REG_SIZE / 4];
    private long apicBase;
    // timer
    private long timerStartNs;          // when the current count started (one-shot/periodic)
    private long timerDeadlineNs = Long.MAX_VALUE;   // next expiry in host ns, or MAX
    private long tscDeadline;           // IA32_TSC_DEADLINE (guest TSC units)
    /** The vCPU this LAPIC belongs to, for wake-ups and TSC conversion. */
    final IrqChip.Target target;

    Lapic(IrqChip chip, int vcpuId, IrqChip.Target target, boolean bsp) {
        this.chip = chip;
        this.vcpuId = vcpuId;
        this.target = target;
        reset(bsp);
    }

    /** Power-on / INIT state (SDM Table 11-? "Local APIC state after power-up or reset"). */
    void reset(boolean bsp) {
        java.util.Arrays.fill(regs, 0);
        set(ID, vcpuId << 24);
        set(VERSION, 0x50014);          // version 0x14, 6 LVT entries (max LVT index 5)
        set(DFR, 0xffffffff);
        set(SVR, 0xff);
        for (int r : new int[] {LVT_CMCI, LVT_TIMER, LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR}) set(r, LVT_MASKED);
        apicBase = 0xfee00000L | MSR_APICBASE_ENABLE | (bsp ? MSR_APICBASE_BSP : 0);
        timerDeadlineNs = Long.MAX_VALUE;
        tscDeadline = 0;
    }

    int get(int off) {
        return regs[off >> 2];
    }

    void set(int off, int v) {
        regs[off >> 2] = v;
    }

    public long apicBase() {
        return apicBase;
    }

    public boolean x2apic() {
        return (apicBase & MSR_APICBASE_EXTD) != 0;
    }

    /** Hardware-enabled (IA32_APIC_BASE.EN) and software-enabled (SVR bit 8). */
    boolean enabled() {
        return (apicBase & MSR_APICBASE_ENABLE) != 0 && (get(SVR) & SVR_ENABLED) != 0;
    }

    boolean hwEnabled() {
        return (apicBase & MSR_APICBASE_ENABLE) != 0;
    }

    public int apicId() {
        return x2apic() ? get(ID) : get(ID) >>> 24;
    }

    /** IA32_APIC_BASE write: enable/disable, xAPIC ↔ x2APIC. Returns false for an invalid transition (→ #GP). */
    boolean setApicBase(long v, boolean host) {
        long reserved = ~(0xffffff000L | MSR_APICBASE_BSP | MSR_APICBASE_EXTD | MSR_APICBASE_ENABLE);
        if ((v & reserved) != 0) return false;
        boolean en = (v & MSR_APICBASE_ENABLE) != 0, ext = (v & MSR_APICBASE_EXTD) != 0;
        if (ext && !en) return false;                                         // invalid state
        if (!host && x2apic() && en && !ext) return false;                    // x2APIC → xAPIC needs disable first
        boolean wasX2 = x2apic();
        apicBase = v;
        if (ext && !wasX2) {                                                  // entering x2APIC: ID and LDR derived
            set(ID, vcpuId);
            set(LDR, ((vcpuId >> 4) << 16) | (1 << (vcpuId & 0xf)));
        } else if (!ext && wasX2) {
            set(ID, vcpuId << 24);
        }
        if (!en) {
            for (int r : new int[] {LVT_CMCI, LVT_TIMER, LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR})
                set(r, get(r) | LVT_MASKED);
        }
        update();
        return true;
    }

    // ================================================================ priorities

    private static int highest(int[] regs, int base) {
        for (int w = 7; w >= 0; w--) {
            int v = regs[(base >> 2) + w * 4];
            if (v != 0) return w * 32 + 31 - Integer.numberOfLeadingZeros(v);
        }
        return -1;
    }

    private boolean test(int base, int vec) {
        return (regs[(base >> 2) + (vec >> 5) * 4] & (1 << (vec & 31))) != 0;
    }

    private void setBit(int base, int vec, boolean on) {
        int i = (base >> 2) + (vec >> 5) * 4;
        regs[i] = on ? regs[i] | (1 << (vec & 31)) : regs[i] & ~(1 << (vec & 31));
    }

    private int ppr() {
        int tpr = get(TPR) & 0xff, isr = highest(regs, ISR);
        int isrv = isr < 0 ? 0 : isr & 0xf0;
        return (tpr & 0xf0) >= isrv ? tpr : isrv;
    }

    /** The vector the CPU should take now, or -1 (highest IRR above PPR's class). */
    int pendingVector() {
        if (!enabled()) return -1;
        int irr = highest(regs, IRR);
        if (irr < 0) return -1;
        return (irr & 0xf0) > (ppr() & 0xf0) ? irr : -1;
    }

    /** Recomputes PPR and tells the vCPU whether it has a deliverable interrupt. */
    void update() {
        set(PPR, ppr());
        target.interruptStateChanged();
    }

    // ================================================================ acceptance

    /** A fixed/lowest-priority interrupt arrives: sets IRR (and TMR for level-triggered). */
    void accept(int vector, boolean level) {
        if (!hwEnabled() || vector < 16) {
            if (vector < 16 && hwEnabled()) setError(1 << 6);                   // received illegal vector
            return;
        }
        setBit(IRR, vector, true);
        setBit(TMR, vector, level);
        update();
    }

    private void setError(int bit) {
        set(ESR, get(ESR) | bit);
        int lvt = get(LVT_ERROR);
        if ((lvt & LVT_MASKED) == 0) accept(lvt & 0xff, false);
    }

    /** INTA: the highest pending vector moves from IRR to ISR; returns it (or -1 / the spurious vector). */
    int acknowledge() {
        int v = pendingVector();
        if (v < 0) return -1;
        setBit(IRR, v, false);
        setBit(ISR, v, true);
        update();
        return v;
    }

    void eoi() {
        int v = highest(regs, ISR);
        if (v < 0) return;
        setBit(ISR, v, false);
        if (test(TMR, v)) chip.ioapicEoi(v);
        update();
    }

    // ================================================================ register access

    /** xAPIC MMIO / x2APIC MSR read of register {@code off}. */
    int read(int off, long nowNs) {
        return switch (off) {
            case TMCCT -> currentCount(nowNs);
            case PPR -> ppr();
            case EOI, SELF_IPI -> 0;
            default -> off < 0x400 ? get(off) : 0;
        };
    }

    /** Register write; returns false for a write to a read-only/reserved register in x2APIC mode (→ #GP). */
    boolean write(int off, int v, long nowNs) {
        switch (off) {
            case ID -> { if (x2apic()) return false; set(ID, v & 0xff000000); }
            case TPR -> { set(TPR, v & 0xff); update(); }
            case EOI -> eoi();
            case LDR -> { if (x2apic()) return false; set(LDR, v & 0xff000000); }
            case DFR -> { if (x2apic()) return false; set(DFR, v | 0x0fffffff); }
            case SVR -> {
                set(SVR, v & 0x13ff);
                if ((v & SVR_ENABLED) == 0) {
                    for (int r : new int[] {LVT_CMCI, LVT_TIMER, LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR})
                        set(r, get(r) | LVT_MASKED);
                }
                update();
            }
            case ESR -> set(ESR, 0);
            case ICR -> {
                set(ICR, v & ~(1 << 12));                 // delivery status always idle: IPIs are instant
                long dest = x2apic() ? get(ICR2) & 0xffffffffL : (get(ICR2) >>> 24);
                chip.sendIpi(this, v, dest);
            }
            case ICR2 -> { if (x2apic()) return false; set(ICR2, v & 0xff000000); }
            case LVT_TIMER -> {
                int old = get(LVT_TIMER);
                int mask = (get(SVR) & SVR_ENABLED) == 0 ? LVT_MASKED : 0;
                set(LVT_TIMER, (v & 0x700ff) | mask);
                if (((old ^ v) >> 17 & 3) != 0) {          // mode change stops the timer
                    timerDeadlineNs = Long.MAX_VALUE;
                    tscDeadline = 0;
                }
                target.timerChanged();
            }
            case LVT_CMCI, LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR -> {
                int mask = (get(SVR) & SVR_ENABLED) == 0 ? LVT_MASKED : 0;
                int keep = off == LVT_LINT0 || off == LVT_LINT1 ? 0x1a7ff : off == LVT_ERROR ? 0x100ff : 0x107ff;
                set(off, (v & keep) | mask);
                target.interruptStateChanged();
            }
            case TMICT -> {
                set(TMICT, v);
                startTimer(nowNs);
            }
            case TDCR -> {
                set(TDCR, v & 0xb);
                startTimer(nowNs);
            }
            case SELF_IPI -> {
                if (!x2apic()) return false;
                accept(v & 0xff, false);
            }
            default -> {
                if (off == VERSION || off == PPR || off == TMCCT || off == RRD || (off >= ISR && off < ESR) || off == APR) {
                    return !x2apic();                       // read-only: ignored in xAPIC, #GP in x2APIC
                }
                return !x2apic();
            }
        }
        return true;
    }

    // ================================================================ timer

    private int divideShift() {
        int d = get(TDCR);
        int code = ((d >> 1) & 4) | (d & 3);
        return code == 7 ? 0 : code + 1;                   // 111 → divide by 1; else 2^(code+1)
    }

    private int timerMode() {
        return (get(LVT_TIMER) >> 17) & 3;                  // 0 one-shot, 1 periodic, 2 TSC-deadline
    }

    private void startTimer(long nowNs) {
        if (timerMode() == 2) return;
        long count = get(TMICT) & 0xffffffffL;
        timerStartNs = nowNs;
        timerDeadlineNs = count == 0 ? Long.MAX_VALUE : nowNs + (count << divideShift()) * BUS_NS;
        target.timerChanged();
    }

    private int currentCount(long nowNs) {
        long count = get(TMICT) & 0xffffffffL;
        if (count == 0 || timerMode() == 2) return 0;
        long period = (count << divideShift()) * BUS_NS;
        long elapsed = nowNs - timerStartNs;
        if (timerMode() == 0 && elapsed >= period) return 0;
        long left = period - elapsed % period;
        return (int) (left >> divideShift());
    }

    /** IA32_TSC_DEADLINE write (guest TSC units; 0 disarms). */
    void setTscDeadline(long tsc, long nowNs) {
        if (timerMode() != 2) return;
        tscDeadline = tsc;
        timerDeadlineNs = tsc == 0 ? Long.MAX_VALUE : target.tscToNs(tsc);
        target.timerChanged();
    }

    long tscDeadline() {
        return timerMode() == 2 ? tscDeadline : 0;
    }

    /** Host ns of the next timer expiry, or Long.MAX_VALUE. */
    public long timerDeadlineNs() {
        return timerDeadlineNs;
    }

    /** Fires the timer if it expired by {@code nowNs}; re-arms a periodic one. */
    void pollTimer(long nowNs) {
        if (nowNs < timerDeadlineNs) return;
        int lvt = get(LVT_TIMER);
        switch (timerMode()) {
            case 1 -> {
                long period = ((get(TMICT) & 0xffffffffL) << divideShift()) * BUS_NS;
                if (period == 0) {
                    timerDeadlineNs = Long.MAX_VALUE;
                } else {
                    long missed = (nowNs - timerDeadlineNs) / period + 1;
                    timerStartNs = timerDeadlineNs + (missed - 1) * period;
                    timerDeadlineNs = timerStartNs + period;
                }
            }
            case 2 -> {
                timerDeadlineNs = Long.MAX_VALUE;
                tscDeadline = 0;
            }
            default -> timerDeadlineNs = Long.MAX_VALUE;
        }
        if ((lvt & LVT_MASKED) == 0) accept(lvt & 0xff, false);
    }

    // ================================================================ LINT0 (ExtINT from the PIC) and NMIs

    /** True when this LAPIC passes the PIC's INTR to its CPU (LAPIC off, or LINT0 unmasked in ExtINT mode). */
    boolean acceptsPicInterrupt() {
        if (!hwEnabled()) return true;
        int lint0 = get(LVT_LINT0);
        return (lint0 & LVT_MASKED) == 0 && ((lint0 >> 8) & 7) == 7;
    }

    // ================================================================ KVM_GET/SET_LAPIC

    LapicState state() {
        byte[] b = new byte[LapicState.KVM_APIC_REG_SIZE];
        for (int i = 0; i < regs.length; i++) {
            int v = regs[i];
            if (i == (TMCCT >> 2)) v = currentCount(System.nanoTime());
            if (i == (PPR >> 2)) v = ppr();
            b[4 * i] = (byte) v;
            b[4 * i + 1] = (byte) (v >> 8);
            b[4 * i + 2] = (byte) (v >> 16);
            b[4 * i + 3] = (byte) (v >> 24);
        }
        return new LapicState(b);
    }

    void setState(LapicState s, long nowNs) {
        for (int i = 0; i < regs.length; i++) regs[i] = s.reg(4 * i);
        if (x2apic()) set(ID, vcpuId);
        startTimer(nowNs);
        update();
    }

    /** Destination matching for IPIs and IOAPIC/MSI messages (physical or logical). */
    boolean matches(long dest, boolean logical) {
        if (!logical) {
            long broadcast = x2apic() ? 0xffffffffL : 0xff;
            return dest == broadcast || dest == apicId();
        }
        if (x2apic()) {
            if (dest == 0xffffffffL) return true;
            int ldr = get(LDR);
            return (dest >>> 16) == (ldr >>> 16) && (dest & ldr & 0xffff) != 0;
        }
        int ldr = get(LDR) >>> 24, dfr = get(DFR) >>> 28;
        if (dest == 0xff) return true;
        if (dfr == 0xf) return (ldr & dest) != 0;                                  // flat
        return (ldr >>> 4) == (dest >>> 4) && (ldr & dest & 0xf) != 0;              // cluster
    }

    boolean hasPendingTimerOrIrr() {
        return highest(regs, IRR) >= 0;
    }
}
