package io.jkvm.x86.jit;

import static io.jkvm.x86.jit.Emit.C;
import static io.jkvm.x86.jit.Emit.CD_CPU;
import static io.jkvm.x86.jit.Emit.CD_INSN;
import static io.jkvm.x86.jit.Emit.CD_INTERP;
import static io.jkvm.x86.jit.Emit.CD_LONGS;
import static io.jkvm.x86.jit.Emit.FA;
import static io.jkvm.x86.jit.Emit.FD;
import static io.jkvm.x86.jit.Emit.FR;
import static io.jkvm.x86.jit.Emit.FS;
import static io.jkvm.x86.jit.Emit.IN;
import static io.jkvm.x86.jit.Emit.NEXT;
import static io.jkvm.x86.jit.Emit.R;
import static io.jkvm.x86.jit.Emit.START;
import static io.jkvm.x86.jit.Emit.T0;
import static java.lang.classfile.ClassFile.ACC_FINAL;
import static java.lang.classfile.ClassFile.ACC_PUBLIC;
import static java.lang.classfile.ClassFile.ACC_SUPER;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.INIT_NAME;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.lang.constant.ConstantDescs.MTD_void;

import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exec.Exit;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.List;

/**
 * Emits the class of one {@link Region}: a subclass of {@link CompiledBlock} whose {@code run} holds the
 * region's blocks, each with its instructions in order, inline ({@link Inline}) or as a direct handler call,
 * and the interpreter's bookkeeping between them — only where an instruction can need it:
 * <ul>
 *   <li>first, the entry block's bytes are compared with what it was compiled from (the run loop leaves
 *       that check to compiled blocks);
 *   <li>handler calls get {@code c.rip}/{@code c.nextRip} set before, the flags stored before, and after
 *       them the interpreter's checks ({@code c.attention}, a changed nextRip ends the block);
 *   <li>inline instructions that touch memory check {@code c.attention} (an MMIO write queues an exit);
 *   <li>every instruction that can throw has its own exception-table range and stub, which restores what
 *       the interpreter holds at that point — RIP, nextRip and the flags as of before the instruction —
 *       and hands the exception to {@code Interpreter.compiledAbort} with the instruction's index;
 *   <li>{@code c.retireReplay()} after a block's first instruction (replayed MMIO answers belong to it);
 *   <li>block ends go through {@link Exits}: to the run loop, or on to another block of the region.
 * </ul>
 */
final class BlockCompiler {
    private BlockCompiler() {}

    static final ClassDesc CD_BASE = ClassDesc.of("io.jkvm.x86.jit.CompiledBlock");
    private static final ClassDesc CD_RTE = ClassDesc.of("java.lang.RuntimeException");
    private static final MethodTypeDesc RUN = MethodTypeDesc.of(CD_int, CD_CPU, CD_INTERP),
            ABORT = MethodTypeDesc.of(CD_int, CD_RTE, CD_int);

    /** The class file and its class data (constants the code loads by index). */
    record Output(byte[] bytes, List<Object> data) {}

    /** An instruction's exception range and what its stub must restore. */
    private record Stub(int k, BlockImage block, int off, int len, Label from, Label to, Flags.State flags, boolean inline) {}

    /** Builds the class for {@code r}; in each block, instructions from index {@code inlineLimit} on are handler calls. */
    static Output build(Region r, ClassDesc name, int inlineLimit) {
        List<Object> data = new ArrayList<>();
        byte[] bytes = ClassFile.of().build(name, clb -> {
            clb.withFlags(ACC_PUBLIC | ACC_FINAL | ACC_SUPER);
            clb.withSuperclass(CD_BASE);
            clb.withMethodBody(INIT_NAME, MethodTypeDesc.of(CD_void, CD_int), ACC_PUBLIC,
                    cb -> cb.aload(0).iload(1).invokespecial(CD_BASE, INIT_NAME, MethodTypeDesc.of(CD_void, CD_int)).return_());
            clb.withMethodBody("run", RUN, ACC_PUBLIC | ACC_FINAL, cb -> body(cb, r, inlineLimit, data));
        });
        return new Output(bytes, data);
    }

    private static void body(CodeBuilder cb, Region r, int inlineLimit, List<Object> data) {
        Emit e = new Emit(cb, r, data);
        cb.aload(C).getfield(CD_CPU, "r", CD_LONGS).astore(R);
        cb.aload(C).getfield(CD_CPU, "rip", CD_long).lstore(START);
        for (int slot : new int[] {FD, FS, FR, FA}) cb.lconst_0().lstore(slot);   // stubs read them on every path
        Label changed = cb.newLabel();
        int n = r.blocks.size();
        if (n > 1) {                                     // where this instance enters: its block's byte check
            Label[] checks = new Label[n];
            List<SwitchCase> cases = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                checks[j] = cb.newLabel();
                cases.add(SwitchCase.of(j, checks[j]));
            }
            cb.aload(0).getfield(CD_BASE, "entry", CD_int);
            cb.tableswitch(0, n - 1, checks[0], cases);
            for (int j = 1; j < n; j++) {
                cb.labelBinding(checks[j]);
                e.exits.checkCode(r.blocks.get(j), changed);
                cb.goto_(e.exits.body(j));
            }
            cb.labelBinding(checks[0]);
        }
        e.exits.checkCode(r.entry(), changed);
        List<Stub> stubs = new ArrayList<>();
        for (int j = 0; j < r.blocks.size(); j++) {
            cb.labelBinding(e.exits.body(j));
            block(e, r.blocks.get(j), inlineLimit, stubs);
        }
        e.exits.emitEntries();
        for (Stub s : stubs) stub(e, s);
        cb.labelBinding(changed);                        // not the code we were compiled from: run nothing
        e.iconst(CompiledBlock.CHANGED);
        cb.ireturn();
    }

    /** The code of one block, from its first instruction to its exits. */
    private static void block(Emit e, BlockImage b, int inlineLimit, List<Stub> stubs) {
        CodeBuilder cb = e.cb;
        e.beginBlock(b);
        int n = b.count;
        boolean lastInline = false;
        for (int k = 0; k < n; k++) {
            Insn i = b.insns[k];
            e.at(k, b.offsets[k], i);
            boolean last = k == n - 1;
            Flags.State before = e.flags.state();
            Label from = cb.newLabel(), to = cb.newLabel();
            cb.labelBinding(from);
            int kind = k < inlineLimit ? Inline.emit(e, i, last) : Inline.NO;
            if (kind == Inline.NO) {
                call(e, i, stubs, last);
                lastInline = false;
                continue;
            }
            cb.labelBinding(to);
            lastInline = true;
            if (kind != Inline.PLAIN) stubs.add(new Stub(k, b, e.off, e.len, from, to, before, true));
            if (kind == Inline.EXITED) break;           // a control transfer: always the last instruction
            if (k == 0) e.retireReplay();
            if (kind == Inline.MEMORY && !last) e.exits.attentionAfter(k + 1);
            if (last) {                                 // cut at 64 instructions (or the page end): fall through
                e.pushNext();
                cb.lstore(NEXT);
                e.exits.toNext(n, kind == Inline.MEMORY, false, e.exits.fallThrough());
            }
        }
        if (!lastInline) {                              // a handler ran last and already set rip/nextRip
            e.retire(n);
            e.iconst(Exit.NONE);
            cb.ireturn();
        }
    }

    /** Instruction {@code i} through its handler, with the interpreter's per-instruction protocol around it. */
    private static void call(Emit e, Insn i, List<Stub> stubs, boolean last) {
        CodeBuilder cb = e.cb;
        int k = e.k;
        e.flags.materialize();
        cb.aload(C);
        e.pushRip();
        cb.putfield(CD_CPU, "rip", CD_long);
        e.pushNext();
        cb.lstore(NEXT);
        cb.aload(C).lload(NEXT).putfield(CD_CPU, "nextRip", CD_long);
        Label from = cb.newLabel(), to = cb.newLabel();
        cb.labelBinding(from);
        Handlers.Target t = Handlers.of(i.op);
        e.onlyInline = false;
        cb.aload(C);
        if (t.insn()) e.loadData(i, CD_INSN);           // the image's own copy: nothing else can change it
        cb.invokestatic(t.owner(), t.name(), t.type());
        cb.labelBinding(to);
        stubs.add(new Stub(k, e.block, e.off, e.len, from, to, null, false));
        e.flags.forget();
        if (k == 0) e.retireReplay();
        // c.rip = c.nextRip (the handler may have branched); then attention, then "did it branch?"
        cb.aload(C).getfield(CD_CPU, "nextRip", CD_long).lstore(T0);
        cb.aload(C).lload(T0).putfield(CD_CPU, "rip", CD_long);
        e.exits.checkAttention(k + 1);
        if (!last) {
            Label same = cb.newLabel();
            cb.lload(T0).lload(NEXT).lcmp().ifeq(same);
            e.retire(k + 1);
            e.iconst(Exit.NONE);
            cb.ireturn();
            cb.labelBinding(same);
        }
    }

    /**
     * The exception stub of one instruction: for an inline one, put back the RIP, nextRip and flags the
     * interpreter would hold while executing it (a handler call has them already), then let the
     * interpreter deliver the fault or exit.
     */
    private static void stub(Emit e, Stub s) {
        CodeBuilder cb = e.cb;
        Label handler = cb.newLabel();
        cb.exceptionCatch(s.from(), s.to(), handler, CD_RTE);
        cb.labelBinding(handler);
        if (s.inline()) {
            e.beginBlock(s.block());
            e.off = s.off();
            e.len = s.len();
            e.flags.store(s.flags());
            cb.aload(C);
            e.pushRip();
            cb.putfield(CD_CPU, "rip", CD_long);
            cb.aload(C);
            e.pushNext();
            cb.putfield(CD_CPU, "nextRip", CD_long);
        }
        cb.aload(IN).swap();
        e.iconst(s.k());
        cb.invokevirtual(CD_INTERP, "compiledAbort", ABORT).ireturn();
    }
}
