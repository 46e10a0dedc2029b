package io.jkvm.x86.exec;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Block;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.decode.Op;
import io.jkvm.x86.exc.GuestFault;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.insn.Alu;
import io.jkvm.x86.insn.Bcd;
import io.jkvm.x86.insn.BitOps;
import io.jkvm.x86.insn.Control;
import io.jkvm.x86.insn.DataMove;
import io.jkvm.x86.insn.DescriptorOps;
import io.jkvm.x86.insn.FarControl;
import io.jkvm.x86.insn.Interrupts;
import io.jkvm.x86.insn.IoOps;
import io.jkvm.x86.insn.Msrs;
import io.jkvm.x86.insn.MulDiv;
import io.jkvm.x86.insn.ShiftRotate;
import io.jkvm.x86.insn.Stack;
import io.jkvm.x86.insn.StringOps;
import io.jkvm.x86.insn.SysCalls;
import io.jkvm.x86.insn.Sse;
import io.jkvm.x86.insn.SystemOps;
import io.jkvm.x86.insn.X87;
import io.jkvm.x86.jit.CompileJob;
import io.jkvm.x86.jit.CompiledBlock;
import io.jkvm.x86.jit.Jit;

/**
 * The run loop of one CPU: look up the block at RIP, execute its instructions through one dispatch switch,
 * deliver faults and interrupts between instructions, and return to the caller when an exit is due. Guest
 * faults become guest exceptions; anything jkvm cannot do becomes {@link Exit#INTERNAL_ERROR} with the RIP
 * and instruction bytes — never a Java exception out of {@link #run}. A block that gets hot is compiled to
 * JVM bytecode ({@code io.jkvm.x86.jit}) and from then on runs as its {@link CompiledBlock}, which keeps
 * to this loop's protocol: same state at every exit and fault, same boundaries.
 */
public final class Interpreter {
    private final Cpu c;
    private final BlockCache cache = new BlockCache();

    /** Request bits, set from any thread, read once per block: {@link #STOP} → Exit.INTR, {@link #EVENT} → Exit.EVENT. */
    public static final int STOP = 1, EVENT = 2;
    private volatile int requests;
    private static final java.lang.invoke.VarHandle REQUESTS;
    static {
        try {
            REQUESTS = java.lang.invoke.MethodHandles.lookup().findVarHandle(Interpreter.class, "requests", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Blocks between timer/device polls. */
    private static final int POLL_BLOCKS = 512;
    private int pollCountdown = POLL_BLOCKS;
    /**
     * Polls between code epochs started by the run loop itself: a bound on how long code written from outside
     * the CPU can go unnoticed by a guest that never serializes (~32 K blocks, well under a millisecond),
     * rare enough that re-comparing the bytes of the blocks run after it costs nothing measurable.
     */
    private static final int POLLS_PER_EPOCH = 64;
    private int polls;

    /** Makes {@link #run} return {@link Exit#INTR} promptly (any thread). */
    public void requestStop() {
        REQUESTS.getAndBitwiseOr(this, STOP);
    }

    /** Makes {@link #run} return {@link Exit#EVENT} promptly so the platform can apply INIT/SIPI/NMI (any thread). */
    public void requestEvent() {
        REQUESTS.getAndBitwiseOr(this, EVENT);
    }

    /** Clears a pending stop without running (a kick that raced with the end of run()). */
    public boolean consumeStop() {
        return ((int) REQUESTS.getAndBitwiseAnd(this, ~STOP) & STOP) != 0;
    }
    /** Instructions retired (for benchmarks and statistics). */
    public long instructions;
    /** When the caller asked for it (request_interrupt_window), return {@link Exit#IRQ_WINDOW_OPEN} as soon as IF=1 and no shadow. */
    public boolean requestInterruptWindow;

    /** Prefix of {@link #internalError} when the cause is a defect of jkvm rather than an unimplemented feature. */
    public static final String BUG_PREFIX = "jkvm bug: ";

    // INTERNAL_ERROR details
    public String internalError;
    public long internalRip;
    public final byte[] internalBytes = new byte[15];
    public int internalLen;

    /**
     * The compiling tier's switch and its threshold (interpreted executions before a block is compiled),
     * read from the system properties when the interpreter is created (see {@link Jit}).
     */
    private final boolean jit, jitAsync;
    private final int jitThreshold;

    public Interpreter(Cpu c) {
        this.c = c;
        this.jit = Jit.enabled();
        this.jitThreshold = Jit.threshold();
        this.jitAsync = Jit.async() && jitThreshold > 0;   // threshold 0 means compiled before its first execution
    }

    public Cpu cpu() {
        return c;
    }

    /** Drops all decoded blocks (after a reset or a state restore). */
    public void flushCache() {
        cache.flush();
    }

    /** Executes until an exit is due; returns an {@link Exit} reason with details in the CPU's exit fields. */
    public int run() {
        c.serialize();                   // the VMM may have written guest code while the vCPU was out
        try {
            return loop();
        } catch (RuntimeException | StackOverflowError e) {
            // a bug in jkvm, not in the guest: report it as KVM would an emulation failure, never throw
            return internal(BUG_PREFIX + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private int loop() {
        if (c.hasQueuedExit()) return c.popQueuedExit();
        Block prev = null;
        boolean verify = false;          // a compiled block found its bytes changed: look up again, comparing bytes
        while (true) {
            if (!verify) {
                int e = boundary();
                if (e != Exit.NONE) return e;
            }
            Block b;
            try {
                b = cache.lookup(c, prev, !verify);
            } catch (GuestFault f) {
                prev = null;
                verify = false;
                c.nextRip = c.rip;
                if (!Interrupts.deliverException(c, f, c.rip)) return Exit.SHUTDOWN;
                continue;
            }
            verify = false;
            if (b == null) return internal("instruction fetch from non-RAM at RIP " + Long.toHexString(c.rip));
            int r;
            CompiledBlock cb = b.compiled;
            if (cb == null && jit && b.hits++ >= jitThreshold && !b.uncached) cb = compile(b);
            if (cb != null) {
                r = cb.run(c, this);
                if (r == CompiledBlock.CHANGED) {   // nothing ran since the boundary: redo only the lookup
                    verify = true;
                    continue;
                }
            } else {
                r = execute(b);
            }
            prev = b;
            if (r != Exit.NONE) return r;
        }
    }

    /**
     * What happens at a block boundary before the next block is looked up: requests from other threads,
     * the periodic timer poll, pending events, HLT. Returns an exit or NONE.
     */
    private int boundary() {
        int req = requests;
        if (req != 0) {
            if ((req & EVENT) != 0) {
                REQUESTS.getAndBitwiseAnd(this, ~EVENT);
                return Exit.EVENT;
            }
            REQUESTS.getAndBitwiseAnd(this, ~STOP);
            return Exit.INTR;
        }
        if (--pollCountdown <= 0) {
            pollCountdown = POLL_BLOCKS;
            if (++polls % POLLS_PER_EPOCH == 0) c.serialize();
            c.platform.poll(c);
        }
        int e = events();
        if (e != Exit.NONE) return e;
        if (c.halted) return Exit.HLT;
        return Exit.NONE;
    }

    /**
     * The block is hot: compile it — on the compiler thread, in which case this returns null (the block is
     * interpreted) until the job is done; or here and now at threshold 0. If the compiler fails (counted and
     * reported by {@link Jit}), the block stays interpreted and is not offered to the compiler again for a
     * long while.
     */
    private CompiledBlock compile(Block b) {
        CompileJob job;
        if (!jitAsync) {
            job = Jit.compile(b, cache, jitThreshold / 4);
        } else {
            job = b.job;
            if (job == null) {                       // hand it to the compiler thread and go on interpreting
                b.job = Jit.submit(b, cache, jitThreshold / 4);
                if (b.job == null) b.hits = jitThreshold / 2;   // its queue is full: ask again later
                return null;
            }
            if (!job.done()) return null;
            b.job = null;
        }
        CompiledBlock cb = job.install(cache);
        if (cb == null) b.hits = Integer.MIN_VALUE;
        b.compiled = cb;
        return cb;
    }

    /**
     * Compiled code that goes on from one block to the next without coming back here asks first whether it
     * may: true when this block boundary is quiet — {@link #loop}'s head would find no request, no poll due,
     * no event to deliver and the CPU not halted — in which case it counts the boundary towards the next
     * poll as the loop would. False (nothing changed) sends the compiled code back to {@link #loop}, which
     * handles the boundary. (The compiled code does the lookup's checks itself; see {@code jit.Exits}.)
     */
    public boolean quietBoundary() {
        if (requests != 0 || pollCountdown <= 1 || c.halted) return false;
        if (c.pendingException >= 0 || c.interruptShadow != 0 || (c.nmiPending && !c.nmiMasked)) return false;
        if ((c.flags & Cpu.IF) != 0 && (c.pendingIrq >= 0 || c.platform.interruptPending(c) || requestInterruptWindow))
            return false;
        pollCountdown--;
        return true;
    }

    /** Delivers pending events at an instruction boundary; returns an exit reason or NONE. */
    private int events() {
        if (c.pendingException >= 0) {
            int v = c.pendingException;
            c.pendingException = -1;
            if (c.pendingHasPayload) Interrupts.deliverPayload(c, v, c.pendingPayload);
            c.pendingHasPayload = c.pendingNotInjected = false;
            GuestFault f = c.fault.set(v, c.pendingErrorCode, c.pendingHasErrorCode);
            if (!Interrupts.deliverException(c, f, c.rip)) return Exit.SHUTDOWN;
        }
        if (c.interruptShadow != 0) {          // this boundary is inside the STI / MOV SS shadow
            c.interruptShadow = 0;
            return Exit.NONE;
        }
        if (c.nmiPending && !c.nmiMasked) {
            c.nmiPending = false;
            c.nmiMasked = true;
            c.halted = false;
            if (!deliver(Vector.NMI, Interrupts.NMI)) return Exit.SHUTDOWN;
        }
        if ((c.flags & Cpu.IF) != 0) {
            if (c.pendingIrq >= 0) {
                int v = c.pendingIrq;
                c.pendingIrq = -1;
                if (!deliver(v, Interrupts.EXTERNAL)) return Exit.SHUTDOWN;
            } else if (c.platform.interruptPending(c)) {
                int v = c.platform.acknowledgeInterrupt(c);
                if (v >= 0 && !deliver(v, Interrupts.EXTERNAL)) return Exit.SHUTDOWN;
            } else if (requestInterruptWindow) {
                return Exit.IRQ_WINDOW_OPEN;
            }
        }
        return Exit.NONE;
    }

    private boolean deliver(int vector, int kind) {
        try {
            Interrupts.deliver(c, vector, kind, 0, false, c.rip);
            return true;
        } catch (GuestFault f) {
            return Interrupts.deliverException(c, f, c.rip);
        }
    }

    /** Runs the instructions of {@code b}; returns an exit or NONE to continue with the next block. */
    private int execute(Block b) {
        long start = c.rip, mask = b.ripMask;
        int n = b.count;
        Insn[] insns = b.insns;
        int[] offsets = b.offsets;
        for (int k = 0; k < n; k++) {
            Insn i = insns[k];
            long rip = start + offsets[k];
            long next = (rip + i.len) & mask;
            c.rip = rip;
            c.nextRip = next;
            try {
                dispatch(c, i);
            } catch (GuestFault | ExitRequest | Unimplemented e) {
                return abort(e, k);
            }
            c.retireReplay();
            long nr = c.nextRip;
            c.rip = nr;
            if (c.attention) {
                instructions += k + 1;
                c.attention = false;
                return c.hasQueuedExit() ? c.popQueuedExit() : Exit.NONE;
            }
            if (nr != next) {
                instructions += k + 1;
                return Exit.NONE;
            }
        }
        instructions += n;
        return Exit.NONE;
    }

    /**
     * Instruction {@code k} of the running block (at {@code c.rip}) did not complete: a guest fault is
     * delivered, an exit request unwinds it for replay, an unimplemented corner becomes INTERNAL_ERROR.
     * Counts the {@code k} instructions that retired before it. Returns the exit, or NONE to go on.
     * Compiled blocks call this too (through {@link #compiledAbort}), so both tiers end a block alike.
     */
    private int abort(RuntimeException e, int k) {
        if (e instanceof GuestFault f) {
            c.nextRip = c.rip;
            c.retireReplay();
            instructions += k;
            if (!Interrupts.deliverException(c, f, c.rip)) return Exit.SHUTDOWN;
            return Exit.NONE;
        }
        if (e instanceof ExitRequest) {
            c.nextRip = c.rip;
            instructions += k;
            return c.exitReason;
        }
        if (e instanceof Unimplemented) {
            instructions += k;
            return internal(e.getMessage());
        }
        throw e;                     // a jkvm defect: run() reports it
    }

    /**
     * The exception path of a compiled block: instruction {@code k} threw {@code e} after the block set
     * {@code c.rip} (and the lazy flags) to what the interpreter holds at that point. Anything that is not
     * a guest fault, exit request or unimplemented corner is rethrown, as the interpreter would let it go.
     */
    public int compiledAbort(RuntimeException e, int k) {
        return abort(e, k);
    }

    /** Fills the INTERNAL_ERROR details for the instruction at RIP. */
    private int internal(String what) {
        internalError = what;
        internalRip = c.rip;
        internalLen = 0;
        try {
            long la = c.mode64 ? c.segBase[Cpu.CS] + c.rip : (c.segBase[Cpu.CS] + c.rip) & 0xffffffffL;
            for (int k = 0; k < 15; k++) {
                int v = c.fetch8(la + k);
                if (v < 0) break;
                internalBytes[k] = (byte) v;
                internalLen++;
            }
        } catch (RuntimeException ignored) {
            // the bytes are best effort: a fault while reading them leaves what was read
        }
        return Exit.INTERNAL_ERROR;
    }

    /**
     * Runs one instruction: the one switch over {@link Op} to the handlers in {@code insn}. Static and
     * public because compiled blocks call it for the few forms that have no handler of their own.
     */
    public static void dispatch(Cpu c, Insn i) {
        switch (i.op) {
            case Op.ALU_EG -> Alu.aluEG(c, i);
            case Op.ALU_GE -> Alu.aluGE(c, i);
            case Op.ALU_EI -> Alu.aluEI(c, i);
            case Op.ALU_AI -> Alu.aluAI(c, i);
            case Op.TEST_EG -> Alu.testEG(c, i);
            case Op.TEST_EI -> Alu.testEI(c, i);
            case Op.INCDEC_E -> Alu.incDecE(c, i);
            case Op.INCDEC_R -> Alu.incDecR(c, i);
            case Op.GRP3_E -> MulDiv.grp3(c, i);
            case Op.IMUL_GEI -> MulDiv.imulGEI(c, i);
            case Op.IMUL_GE -> MulDiv.imulGE(c, i);
            case Op.SHIFT_E -> ShiftRotate.grp2(c, i);
            case Op.SHLD -> ShiftRotate.shld(c, i);
            case Op.SHRD -> ShiftRotate.shrd(c, i);
            case Op.BT_EG -> BitOps.btEG(c, i);
            case Op.BT_EI -> BitOps.btEI(c, i);
            case Op.BSF -> BitOps.bsf(c, i);
            case Op.BSR -> BitOps.bsr(c, i);
            case Op.LZCNT -> BitOps.lzcnt(c, i);
            case Op.POPCNT -> BitOps.popcnt(c, i);
            case Op.BSWAP -> BitOps.bswap(c, i);
            case Op.XADD -> DataMove.xadd(c, i);
            case Op.CMPXCHG -> DataMove.cmpxchg(c, i);
            case Op.CMPXCHG8B -> DataMove.cmpxchg8b(c, i);
            case Op.XCHG_EG -> DataMove.xchgEG(c, i);
            case Op.XCHG_AR -> DataMove.xchgAR(c, i);
            case Op.DAA -> Bcd.daa(c);
            case Op.DAS -> Bcd.das(c);
            case Op.AAA -> Bcd.aaa(c);
            case Op.AAS -> Bcd.aas(c);
            case Op.AAM -> Bcd.aam(c, i);
            case Op.AAD -> Bcd.aad(c, i);
            case Op.SALC -> Bcd.salc(c);
            case Op.CBW -> Alu.cbw(c, i);
            case Op.CWD -> Alu.cwd(c, i);
            case Op.LAHF -> Alu.lahf(c);
            case Op.SAHF -> Alu.sahf(c);
            case Op.CMC -> Alu.cmc(c);
            case Op.FLAGOP -> Control.flagOp(c, i);
            case Op.MOV_EG -> DataMove.movEG(c, i);
            case Op.MOV_GE -> DataMove.movGE(c, i);
            case Op.MOV_EI -> DataMove.movEI(c, i);
            case Op.MOV_RI -> DataMove.movRI(c, i);
            case Op.MOV_AO -> DataMove.movAO(c, i);
            case Op.MOV_OA -> DataMove.movOA(c, i);
            case Op.MOV_ES -> DescriptorOps.movES(c, i);
            case Op.MOV_SE -> DescriptorOps.movSE(c, i);
            case Op.MOVZX -> DataMove.movzx(c, i);
            case Op.MOVSX -> DataMove.movsx(c, i);
            case Op.MOVSXD -> DataMove.movsxd(c, i);
            case Op.LEA -> lea(c, i);
            case Op.CMOV -> DataMove.cmov(c, i);
            case Op.SETCC -> DataMove.setcc(c, i);
            case Op.PUSH_R -> Stack.pushR(c, i);
            case Op.POP_R -> Stack.popR(c, i);
            case Op.PUSH_I -> Stack.pushI(c, i);
            case Op.PUSH_E -> Stack.pushE(c, i);
            case Op.POP_E -> Stack.popE(c, i);
            case Op.PUSH_SEG -> Stack.pushSeg(c, i);
            case Op.POP_SEG -> Stack.popSeg(c, i);
            case Op.PUSHA -> Stack.pusha(c, i);
            case Op.POPA -> Stack.popa(c, i);
            case Op.PUSHF -> Stack.pushf(c, i);
            case Op.POPF -> Stack.popf(c, i);
            case Op.ENTER -> Stack.enter(c, i);
            case Op.LEAVE -> Stack.leave(c, i);
            case Op.MOVS -> StringOps.movs(c, i);
            case Op.CMPS -> StringOps.cmps(c, i);
            case Op.STOS -> StringOps.stos(c, i);
            case Op.LODS -> StringOps.lods(c, i);
            case Op.SCAS -> StringOps.scas(c, i);
            case Op.INS -> IoOps.ins(c, i);
            case Op.OUTS -> IoOps.outs(c, i);
            case Op.IN -> IoOps.in(c, i);
            case Op.OUT -> IoOps.out(c, i);
            case Op.JCC -> Control.jcc(c, i);
            case Op.JMP_REL -> Control.jmpRel(c, i);
            case Op.JMP_E -> Control.jmpE(c, i);
            case Op.JMP_FAR -> FarControl.jmpFar(c, i);
            case Op.CALL_REL -> Control.callRel(c, i);
            case Op.CALL_E -> Control.callE(c, i);
            case Op.CALL_FAR -> FarControl.callFar(c, i);
            case Op.RET_NEAR -> Control.retNear(c, i);
            case Op.RET_FAR -> FarControl.retFar(c, i);
            case Op.IRET -> {
                c.serialize();
                FarControl.iret(c, i);
                c.nmiMasked = false;
            }
            case Op.LOOP -> Control.loop(c, i);
            case Op.JCXZ -> Control.jcxz(c, i);
            case Op.INT -> Interrupts.intN(c, i);
            case Op.INT3 -> Interrupts.int3(c, i);
            case Op.INTO -> Interrupts.into(c, i);
            case Op.INT1 -> Interrupts.int1(c, i);
            case Op.BOUND -> Interrupts.bound(c, i);
            case Op.HLT -> SystemOps.hlt(c);
            case Op.NOP -> { }
            case Op.FWAIT -> X87.fwait(c);
            case Op.XLAT -> DataMove.xlat(c, i);
            case Op.LSEG -> DescriptorOps.lseg(c, i);
            case Op.ARPL -> DescriptorOps.arpl(c, i);
            case Op.GRP6 -> DescriptorOps.grp6(c, i);
            case Op.GRP7 -> DescriptorOps.grp7(c, i);
            case Op.LAR -> DescriptorOps.lar(c, i);
            case Op.LSL -> DescriptorOps.lsl(c, i);
            case Op.CLTS -> SystemOps.clts(c);
            case Op.SYSCALL -> SysCalls.syscall(c, i);
            case Op.SYSRET -> SysCalls.sysret(c, i);
            case Op.SYSENTER -> SysCalls.sysenter(c, i);
            case Op.SYSEXIT -> SysCalls.sysexit(c, i);
            case Op.WBINVD -> SystemOps.wbinvd(c);
            case Op.MOV_CR -> SystemOps.movCr(c, i);
            case Op.MOV_DR -> SystemOps.movDr(c, i);
            case Op.RDMSR -> Msrs.rdmsr(c);
            case Op.WRMSR -> Msrs.wrmsr(c);
            case Op.RDTSC -> SystemOps.rdtsc(c);
            case Op.RDPMC -> SystemOps.rdpmc(c);
            case Op.CPUID -> SystemOps.cpuid(c);
            case Op.GRP15 -> SystemOps.grp15(c, i);
            case Op.MOVBE -> DataMove.movbe(c, i);
            case Op.RDRAND, Op.RDPID, Op.UD, Op.TZCNT -> throw c.fault(Vector.UD);
            case Op.INVALID -> throw i.sub == 1 ? c.fault(Vector.GP, 0) : c.fault(Vector.UD);
            case Op.X87 -> X87.exec(c, i);
            case Op.SSE -> Sse.exec(c, i);
            default -> throw new Unimplemented("opcode " + Integer.toHexString(i.opcode) + " (" + Op.name(i.op) + ")");
        }
    }

    private static void lea(Cpu c, Insn i) {
        if (!i.mem) throw c.fault(Vector.UD);
        DataMove.lea(c, i);
    }

}
