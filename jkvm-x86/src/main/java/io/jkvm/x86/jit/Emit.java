package io.jkvm.x86.jit;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.List;

/**
 * What the instruction generators share while a class is emitted: the code builder, the local-variable
 * layout, the block and instruction being compiled (its RIP is {@code start + off}, START holding the
 * running block's first RIP), and bytecode idioms for the x86 operations the interpreter spells in Java —
 * register access by size, effective and linear addresses, TLB-fast-path memory access, branch-target
 * checks. How blocks are left is {@link Exits}.
 *
 * <p>Values are JVM {@code long}s zero-extended to their operand size, as the interpreter keeps them.
 */
final class Emit {
    static final ClassDesc CD_CPU = ClassDesc.of("io.jkvm.x86.Cpu");
    static final ClassDesc CD_INTERP = ClassDesc.of("io.jkvm.x86.exec.Interpreter");
    static final ClassDesc CD_INSN = ClassDesc.of("io.jkvm.x86.decode.Insn");
    static final ClassDesc CD_FAULT = ClassDesc.of("io.jkvm.x86.exc.GuestFault");
    static final ClassDesc CD_RUNTIME = ClassDesc.of("io.jkvm.x86.jit.JitRuntime");
    static final ClassDesc CD_LAZY = ClassDesc.of("io.jkvm.x86.flags.LazyFlags");
    static final ClassDesc CD_LONGS = CD_long.arrayType();

    // ---- local variable slots of run(Cpu c, Interpreter in)
    static final int C = 1, IN = 2, R = 3;
    /** RIP of the running block's first instruction (c.rip on entry; set when the class goes on to another block). */
    static final int START = 4;
    /** The pending lazy-flags operands (see {@link Flags}): dst, src, result, aux. */
    static final int FD = 6, FS = 8, FR = 10, FA = 12;
    /** Scratch for one instruction: operands, result, carry, linear address, register-store value, next RIP. */
    static final int T0 = 14, T1 = 16, T2 = 18, T3 = 20, LA = 22, TV = 24, NEXT = 26;

    final CodeBuilder cb;
    final boolean mode64;
    final long ripMask;
    /** The class data: objects the code loads as constants (see {@link #loadData}). */
    final List<Object> data;
    final Exits exits;

    // ---- the block being compiled
    BlockImage block;
    /** Instructions in the block (the count a block-end exit retires). */
    int count;
    Flags flags;
    /** No handler call so far in this block: nothing in it can have changed the mode, CS or the TLB. */
    boolean onlyInline;

    /** The instruction being compiled: index, offset from the block start, length. */
    int k, off, len;

    Emit(CodeBuilder cb, Region region, List<Object> data) {
        this.cb = cb;
        this.mode64 = region.entry().mode64();
        this.ripMask = region.entry().ripMask;
        this.data = data;
        this.exits = new Exits(this, region);
    }

    /** Starts the code of {@code b}: flags unknown (the CPU's fields hold them), no handler called yet. */
    void beginBlock(BlockImage b) {
        block = b;
        count = b.count;
        flags = new Flags(this);
        onlyInline = true;
    }

    void at(int k, int off, Insn i) {
        this.k = k;
        this.off = off;
        this.len = i.len;
    }

    /** Pushes {@code o} (of class {@code type}), a constant of the class through its class data. */
    void loadData(Object o, ClassDesc type) {
        int index = -1;
        for (int j = 0; j < data.size(); j++) if (data.get(j) == o) index = j;
        if (index < 0) {
            index = data.size();
            data.add(o);
        }
        cb.ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME, type, index));
    }

    static long mask(int size) {
        return Cpu.mask(size);
    }

    // ================================================================ constants and CPU fields

    void lconst(long v) {
        cb.loadConstant(v);
    }

    void iconst(int v) {
        cb.loadConstant(v);
    }

    /** {@code & mask(size)}, omitted for 8-byte values. */
    void maskTo(int size) {
        if (size < 8) {
            lconst(mask(size));
            cb.land();
        }
    }

    void getCpu(String field, ClassDesc type) {
        cb.aload(C).getfield(CD_CPU, field, type);
    }

    void invokeCpu(String name, MethodTypeDesc type) {
        cb.invokevirtual(CD_CPU, name, type);
    }

    // ================================================================ RIP of the instruction

    /** Pushes this instruction's RIP: start + off, unwrapped, as the interpreter computes it. */
    void pushRip() {
        cb.lload(START);
        if (off != 0) {
            lconst(off);
            cb.ladd();
        }
    }

    /** Pushes the RIP after this instruction: (start + off + len) & ripMask. */
    void pushNext() {
        cb.lload(START);
        lconst(off + len);
        cb.ladd();
        if (ripMask != -1) {
            lconst(ripMask);
            cb.land();
        }
    }

    // ================================================================ registers

    /** Pushes r[n] as stored (64 bits). */
    void rawReg(int n) {
        cb.aload(R);
        iconst(n);
        cb.laload();
    }

    /** Pushes register {@code n} of {@code size} bytes, zero-extended ({@code Cpu.reg}). */
    void loadReg(int n, int size) {
        if (size == 1 && n >= 16) {
            rawReg(n - 16);
            iconst(8);
            cb.lushr();
            lconst(0xff);
            cb.land();
            return;
        }
        rawReg(n);
        maskTo(size);
    }

    /** Pops a long into register {@code n} of {@code size} bytes ({@code Cpu.setReg}: 32-bit zero-extends, 8/16 merge). */
    void storeReg(int n, int size) {
        switch (size) {
            case 8 -> {
                cb.lstore(TV);
                cb.aload(R);
                iconst(n);
                cb.lload(TV).lastore();
            }
            case 4 -> {
                maskTo(4);
                cb.lstore(TV);
                cb.aload(R);
                iconst(n);
                cb.lload(TV).lastore();
            }
            default -> {
                long m = mask(size);
                int slot = n;
                maskTo(size);
                if (size == 1 && n >= 16) {
                    slot = n - 16;
                    m = 0xff00;
                    iconst(8);
                    cb.lshl();
                }
                cb.lstore(TV);
                cb.aload(R);
                iconst(slot);
                rawReg(slot);
                lconst(~m);
                cb.land().lload(TV).lor().lastore();
            }
        }
    }

    // ================================================================ memory operands

    /** Pushes the effective address (offset in the segment) of the memory operand ({@code Cpu.ea}). */
    void ea(Insn i) {
        lconst(i.disp);
        if (i.base >= 0) {
            rawReg(i.base);
            cb.ladd();
        }
        if (i.index >= 0) {
            rawReg(i.index);
            if (i.scale > 0) {
                iconst(i.scale);
                cb.lshl();
            }
            cb.ladd();
        }
        if (i.ripRel) {
            pushNext();
            cb.ladd();
        }
        if (i.eaMask != -1) {
            lconst(i.eaMask);
            cb.land();
        }
    }

    private static final MethodTypeDesc LIN = MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_int, CD_boolean);

    /** Pushes the segment-checked linear address of the memory operand ({@code Cpu.linE}; may fault). */
    void lin(Insn i, int size, boolean write) {
        cb.aload(C);
        iconst(i.seg);
        ea(i);
        iconst(size);
        iconst(write ? 1 : 0);
        invokeCpu("lin", LIN);
    }

    private static final MethodTypeDesc RD_I = MethodTypeDesc.of(CD_int, CD_long), RD_J = MethodTypeDesc.of(CD_long, CD_long);

    /** With [c, la] on the stack, reads {@code size} bytes through the TLB fast path: pushes the zero-extended value. */
    void readAt(int size) {
        switch (size) {
            case 1 -> invokeCpu("read8", RD_I);
            case 2 -> invokeCpu("read16", RD_I);
            case 4 -> invokeCpu("read32", RD_I);
            default -> invokeCpu("read64", RD_J);
        }
        if (size < 8) cb.i2l();
        if (size == 4) maskTo(4);
    }

    /** Pushes the r/m operand of {@code size} bytes ({@code Cpu.readE}). */
    void readE(Insn i, int size) {
        if (i.rm >= 0) {
            loadReg(i.rm, size);
            return;
        }
        cb.aload(C);
        lin(i, size, false);
        readAt(size);
    }

    private static final MethodTypeDesc RMW = MethodTypeDesc.of(CD_long, CD_long, CD_int);

    /** Read half of a read-modify-write at the address in LA ({@code Cpu.readRmw}). */
    void readRmwLa(int size) {
        cb.aload(C).lload(LA);
        iconst(size);
        invokeCpu("readRmw", RMW);
    }

    private static final MethodTypeDesc WR_I = MethodTypeDesc.of(CD_void, CD_long, CD_int),
            WR_J = MethodTypeDesc.of(CD_void, CD_long, CD_long);

    /** With [c, la, value] on the stack, writes {@code size} bytes. */
    void writeAt(int size) {
        if (size < 8) cb.l2i();
        switch (size) {
            case 1 -> invokeCpu("write8", WR_I);
            case 2 -> invokeCpu("write16", WR_I);
            case 4 -> invokeCpu("write32", WR_I);
            default -> invokeCpu("write64", WR_J);
        }
    }

    /** Writes the long in {@code valueSlot} to the address in LA. */
    void writeLa(int size, int valueSlot) {
        cb.aload(C).lload(LA).lload(valueSlot);
        writeAt(size);
    }

    /** Writes the long in {@code valueSlot} to the r/m operand ({@code Cpu.writeE}; the address is checked first). */
    void writeE(Insn i, int size, int valueSlot) {
        if (i.rm >= 0) {
            cb.lload(valueSlot);
            storeReg(i.rm, size);
            return;
        }
        cb.aload(C);
        lin(i, size, true);
        cb.lload(valueSlot);
        writeAt(size);
    }

    // ================================================================ faults, branches, exits

    private static final MethodTypeDesc FAULT = MethodTypeDesc.of(CD_FAULT, CD_int, CD_int);

    /** {@code throw c.fault(vector, code)}. */
    void throwFault(int vector, int code) {
        cb.aload(C);
        iconst(vector);
        iconst(code);
        invokeCpu("fault", FAULT);
        cb.athrow();
    }

    /**
     * Pops a branch target, truncates it to {@code size} and checks it as {@code Control.jump} does
     * (canonical in 64-bit mode, else within the CS limit; #GP(0) otherwise); leaves it in NEXT.
     */
    void jumpTarget(int size) {
        maskTo(size);
        cb.lstore(NEXT);
        Label ok = cb.newLabel();
        if (mode64) {
            cb.lload(NEXT).lload(NEXT);
            iconst(16);
            cb.lshl();
            iconst(16);
            cb.lshr().lcmp().ifeq(ok);
        } else {
            cb.lload(NEXT);
            getCpu("segLimit", CD_LONGS);
            iconst(Cpu.CS);
            cb.laload().lcmp().ifle(ok);
        }
        throwFault(Vector.GP, 0);
        cb.labelBinding(ok);
    }

    /** {@code in.instructions += n}. */
    void retire(int n) {
        cb.aload(IN).dup().getfield(CD_INTERP, "instructions", CD_long);
        lconst(n);
        cb.ladd().putfield(CD_INTERP, "instructions", CD_long);
    }

    /** Calls {@code c.retireReplay()}: replayed MMIO answers are used up once an instruction retires. */
    void retireReplay() {
        cb.aload(C);
        invokeCpu("retireReplay", MethodTypeDesc.of(CD_void));
    }

    /** Stores the long in {@code slot} as both {@code c.rip} and {@code c.nextRip}. */
    void setRips(int slot) {
        cb.aload(C).lload(slot).putfield(CD_CPU, "rip", CD_long);
        cb.aload(C).lload(slot).putfield(CD_CPU, "nextRip", CD_long);
    }
}
