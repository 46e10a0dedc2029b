package io.jkvm.x86.jit;

import static io.jkvm.x86.jit.Emit.C;
import static io.jkvm.x86.jit.Emit.CD_CPU;
import static io.jkvm.x86.jit.Emit.CD_LAZY;
import static io.jkvm.x86.jit.Emit.FA;
import static io.jkvm.x86.jit.Emit.FD;
import static io.jkvm.x86.jit.Emit.FR;
import static io.jkvm.x86.jit.Emit.FS;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;

import io.jkvm.x86.flags.Cc;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.MethodTypeDesc;

/**
 * Compile-time view of the lazy flags while a block is emitted. After an inline flag-setting instruction
 * its lazy record (kind, size; dst/src/result/aux in the locals FD FS FR FA) is <em>known</em>: a
 * condition or carry that reads it is computed inline from the locals (CMP+Jcc becomes one compare). It is
 * <em>dirty</em> while the CPU's cc fields do not hold it yet; {@link #store} writes exactly the fields the
 * interpreter's handler writes ({@code Cpu.cc} plus ccAux where the handler sets it) at the points where
 * something else can look: handler calls, block exits, exception stubs. A record overwritten by the next
 * flag-setting instruction before any such point is simply never written.
 */
final class Flags {
    /** Nothing known: the CPU's fields are the truth. */
    static final int UNKNOWN = -1;

    private final Emit e;
    int kind = UNKNOWN, size;
    boolean dirty;

    Flags(Emit e) {
        this.e = e;
    }

    /** The state at one point of the emission, for exception stubs and branches. */
    record State(int kind, int size, boolean dirty) {}

    State state() {
        return new State(kind, size, dirty);
    }

    void restore(State s) {
        kind = s.kind;
        size = s.size;
        dirty = s.dirty;
    }

    /** An inline instruction has just left its record in the flag locals. */
    void set(int kind, int size) {
        this.kind = kind;
        this.size = size;
        this.dirty = true;
    }

    /** A handler ran: it may have changed the flags in the CPU (stored before the call). */
    void forget() {
        kind = UNKNOWN;
        dirty = false;
    }

    private static boolean hasAux(int kind) {
        return kind == Cc.ADC || kind == Cc.SBB || kind == Cc.INC || kind == Cc.DEC;
    }

    /** Emits the stores of a dirty record without changing the compile-time state (for one path of several). */
    void store() {
        store(new State(kind, size, dirty));
    }

    void store(State s) {
        if (!s.dirty) return;
        CodeBuilder cb = e.cb;
        cb.aload(C);
        e.iconst(s.kind);
        cb.putfield(CD_CPU, "ccOp", CD_int);
        cb.aload(C);
        e.iconst(s.size);
        cb.putfield(CD_CPU, "ccSize", CD_int);
        if (s.kind == Cc.LOGIC) {
            cb.aload(C).lconst_0().putfield(CD_CPU, "ccDst", CD_long);
            cb.aload(C).lconst_0().putfield(CD_CPU, "ccSrc", CD_long);
        } else {
            cb.aload(C).lload(FD).putfield(CD_CPU, "ccDst", CD_long);
            cb.aload(C).lload(FS).putfield(CD_CPU, "ccSrc", CD_long);
        }
        cb.aload(C).lload(FR).putfield(CD_CPU, "ccRes", CD_long);
        if (hasAux(s.kind)) cb.aload(C).lload(FA).putfield(CD_CPU, "ccAux", CD_long);
    }

    /** Stores a dirty record and marks it clean (straight-line code only). */
    void materialize() {
        store();
        dirty = false;
    }

    // ================================================================ reading flags inline

    private static final MethodTypeDesc CF = MethodTypeDesc.of(CD_boolean, CD_CPU),
            COND = MethodTypeDesc.of(CD_boolean, CD_CPU, CD_int);

    /** Pushes CF as a long 0/1 ({@code LazyFlags.cf}); straight-line code only (may materialize). */
    void pushCf() {
        CodeBuilder cb = e.cb;
        switch (kind) {
            case Cc.LOGIC -> cb.lconst_0();
            case Cc.INC, Cc.DEC -> cb.lload(FA);
            case Cc.ADD -> boolToLong(t -> jumpUnsignedLess(FR, FD, t));
            case Cc.SUB -> boolToLong(t -> jumpUnsignedLess(FD, FS, t));
            default -> {
                materialize();
                cb.aload(C).invokestatic(CD_LAZY, "cf", CF);
                cb.i2l();
            }
        }
    }

    private void boolToLong(java.util.function.Consumer<Label> jumpIfTrue) {
        CodeBuilder cb = e.cb;
        Label t = cb.newLabel(), end = cb.newLabel();
        jumpIfTrue.accept(t);
        cb.lconst_0().goto_(end);
        cb.labelBinding(t);
        cb.lconst_1();
        cb.labelBinding(end);
    }

    /** Jumps when (unsigned) a < b. Values below 8 bytes are zero-extended, so a signed compare does. */
    private void jumpUnsignedLess(int a, int b, Label t) {
        compareUnsigned(a, b);
        e.cb.iflt(t);
    }

    /** Pushes the int sign of (unsigned) a - b. */
    private void compareUnsigned(int a, int b) {
        CodeBuilder cb = e.cb;
        cb.lload(a).lload(b);
        if (size == 8) cb.invokestatic(java.lang.constant.ConstantDescs.CD_Long, "compareUnsigned",
                MethodTypeDesc.of(CD_int, CD_long, CD_long));
        else cb.lcmp();
    }

    private void signExtended(int slot) {
        CodeBuilder cb = e.cb;
        cb.lload(slot);
        switch (size) {
            case 1 -> cb.l2i().i2b().i2l();
            case 2 -> cb.l2i().i2s().i2l();
            case 4 -> cb.l2i().i2l();
            default -> { }
        }
    }

    private long sign() {
        return 1L << (size * 8 - 1);
    }

    /** Jumps when the result is zero (ZF) or, with {@code nz}, when it is not. */
    private void jumpZero(boolean nz, Label t) {
        e.cb.lload(FR).lconst_0().lcmp();
        if (nz) e.cb.ifne(t);
        else e.cb.ifeq(t);
    }

    /** Jumps when SF is set or, with {@code ns}, when it is clear. */
    private void jumpSign(boolean ns, Label t) {
        e.cb.lload(FR);
        e.lconst(sign());
        e.cb.land().lconst_0().lcmp();
        if (ns) e.cb.ifeq(t);
        else e.cb.ifne(t);
    }

    /**
     * Jumps to {@code t} when condition {@code cc} (the Jcc/SETcc/CMOVcc nibble) holds, else falls through.
     * Computed inline from a known record where the interpreter's {@code LazyFlags.cond} has a simple
     * formula; otherwise the record is materialized and {@code LazyFlags.cond} decides. Straight-line only.
     */
    void jumpIf(int cc, Label t) {
        if (!inline(cc, t)) {
            materialize();
            e.cb.aload(C);
            e.iconst(cc);
            e.cb.invokestatic(CD_LAZY, "cond", COND).ifne(t);
        }
    }

    private boolean inline(int cc, Label t) {
        CodeBuilder cb = e.cb;
        if (kind == UNKNOWN) return false;
        // ZF and SF come from the result for every kind the generators leave in the locals
        switch (cc) {
            case Cc.E -> { jumpZero(false, t); return true; }
            case Cc.NE -> { jumpZero(true, t); return true; }
            case Cc.S -> { jumpSign(false, t); return true; }
            case Cc.NS -> { jumpSign(true, t); return true; }
            default -> { }
        }
        switch (kind) {
            case Cc.SUB -> {
                switch (cc) {
                    case Cc.B -> { compareUnsigned(FD, FS); cb.iflt(t); }
                    case Cc.AE -> { compareUnsigned(FD, FS); cb.ifge(t); }
                    case Cc.BE -> { compareUnsigned(FD, FS); cb.ifle(t); }
                    case Cc.A -> { compareUnsigned(FD, FS); cb.ifgt(t); }
                    case Cc.L, Cc.GE, Cc.LE, Cc.G -> {
                        signExtended(FD);
                        signExtended(FS);
                        cb.lcmp();
                        switch (cc) {
                            case Cc.L -> cb.iflt(t);
                            case Cc.GE -> cb.ifge(t);
                            case Cc.LE -> cb.ifle(t);
                            default -> cb.ifgt(t);
                        }
                    }
                    default -> { return false; }
                }
                return true;
            }
            case Cc.LOGIC -> {             // CF = OF = 0
                switch (cc) {
                    case Cc.B, Cc.O -> { }                                 // never
                    case Cc.AE, Cc.NO -> cb.goto_(t);                      // always
                    case Cc.BE -> jumpZero(false, t);
                    case Cc.A -> jumpZero(true, t);
                    case Cc.L -> jumpSign(false, t);                      // SF != OF
                    case Cc.GE -> jumpSign(true, t);
                    case Cc.LE -> { jumpZero(false, t); jumpSign(false, t); }
                    case Cc.G -> {
                        Label no = cb.newLabel();
                        jumpZero(false, no);
                        jumpSign(false, no);
                        cb.goto_(t);
                        cb.labelBinding(no);
                    }
                    default -> { return false; }
                }
                return true;
            }
            case Cc.ADD -> {
                switch (cc) {
                    case Cc.B -> jumpUnsignedLess(FR, FD, t);
                    case Cc.AE -> { compareUnsigned(FR, FD); cb.ifge(t); }
                    default -> { return false; }
                }
                return true;
            }
            case Cc.INC, Cc.DEC -> {
                switch (cc) {
                    case Cc.B -> cb.lload(FA).lconst_0().lcmp().ifne(t);
                    case Cc.AE -> cb.lload(FA).lconst_0().lcmp().ifeq(t);
                    default -> { return false; }
                }
                return true;
            }
            default -> { return false; }
        }
    }
}
