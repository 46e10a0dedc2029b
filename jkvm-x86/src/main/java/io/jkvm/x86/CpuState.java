package io.jkvm.x86;

/**
 * The architectural state of one x86-64 logical processor, as plain fields for the interpreter's speed.
 * Segment registers are indexed in the SDM's sreg order (ES CS SS DS FS GS) plus LDTR and TR; each keeps
 * its selector and hidden descriptor cache (base, byte-granular limit, access rights in VMX AR layout:
 * type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16).
 */
public abstract class CpuState {
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5, LDTR = 6, TR = 7;
    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;

    public static final int AR_S = 1 << 4, AR_P = 1 << 7, AR_AVL = 1 << 12, AR_L = 1 << 13, AR_DB = 1 << 14,
            AR_G = 1 << 15, AR_UNUSABLE = 1 << 16;

    /** General-purpose registers RAX…R15 in encoding order. */
    public final long[] r = new long[16];
    /** RIP of the instruction executing (or next to execute, between instructions). */
    public long rip;
    /** RIP after the current instruction; branches overwrite it. */
    public long nextRip;

    // ---- RFLAGS: the arithmetic six are lazy (see flags.LazyFlags), the rest live in `flags`
    public int ccOp, ccSize = 4, ccFlags;
    public long ccDst, ccSrc, ccRes, ccAux;
    /** RFLAGS except CF PF AF ZF SF OF; bit 1 is always set. */
    public long flags = 2;

    // ---- segments
    public final int[] segSel = new int[8];
    public final long[] segBase = new long[8];
    public final long[] segLimit = new long[8];
    public final int[] segAr = new int[8];
    public long gdtBase, idtBase;
    public int gdtLimit, idtLimit;

    // ---- control, debug and model-specific registers
    public long cr0 = 0x60000010L, cr2, cr3, cr4, cr8, efer, xcr0 = 1;
    public final long[] dr = {0, 0, 0, 0, 0xffff0ff0L, 0xffff0ff0L, 0xffff0ff0L, 0x400};
    public long star, lstar, cstar, sfmask, kernelGsBase, tscAux;
    public long sysenterCs, sysenterEsp, sysenterEip;
    public long pat = 0x0007040600070406L, apicBase = 0xfee00900L, miscEnable = 1, tscAdjust, spec;
    public long mtrrDefType;
    public final long[] mtrrFixed = new long[11];
    public final long[] mtrrVar = new long[16];
    public long tscOffset;

    // ---- derived mode, recomputed by Cpu.updateMode() whenever CR0, EFER, CS or RFLAGS.VM change
    public int cpl;
    /** 64-bit mode (IA-32e with CS.L). */
    public boolean mode64;
    /** Protected mode (CR0.PE), including long and virtual-8086 modes. */
    public boolean protectedMode;
    /** Default operand/address size in bytes from CS.D (2 or 4; 4 in 64-bit mode). */
    public int defaultSize;

    // ---- event state
    public boolean halted;
    /** This CPU's code epoch ({@link io.jkvm.x86.CodeGuard}): a new one at each serializing event. */
    public long codeEpoch = io.jkvm.x86.CodeGuard.firstEpoch();

    /**
     * A serializing instruction, a KVM_RUN, or the run loop's periodic turn: code written from outside this CPU
     * before now must be seen from now on, so every cached block compares its bytes once more.
     */
    public final void serialize() {
        codeEpoch++;
    }
    /** Interrupts are blocked for one instruction after STI / MOV SS / POP SS (KVM_X86_SHADOW_INT_*). */
    public int interruptShadow;
    public boolean nmiMasked, nmiPending;
    /** KVM_INTERRUPT / in-kernel injection: vector waiting for IF=1, or -1. */
    public int pendingIrq = -1;
    /** An exception queued by KVM_SET_VCPU_EVENTS, delivered before the next instruction. */
    public int pendingException = -1, pendingErrorCode;
    public boolean pendingHasErrorCode;
    /**
     * KVM_CAP_EXCEPTION_PAYLOAD: the queued exception was only raised (KVM's "pending"), not yet being
     * delivered ("injected"), and its payload — CR2 of a #PF, DR6 bits of a #DB — lands when it is delivered.
     */
    public boolean pendingNotInjected, pendingHasPayload;
    public long pendingPayload;

    /** x87/MMX/SSE registers. */
    public final io.jkvm.x86.fpu.FpuState fpu = new io.jkvm.x86.fpu.FpuState();

    /** What CPUID answers (KVM_SET_CPUID2). */
    public io.jkvm.x86.cpuid.CpuidTable cpuid = io.jkvm.x86.cpuid.CpuidTable.EMPTY;

    // ---- values exchanged with the Platform
    public long ioValue, mmioValue, msrValue;
}
