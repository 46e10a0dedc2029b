package io.jkvm.x86.jit;

import static io.jkvm.x86.jit.Emit.C;
import static io.jkvm.x86.jit.Emit.CD_CPU;
import static io.jkvm.x86.jit.Emit.CD_INTERP;
import static io.jkvm.x86.jit.Emit.CD_LONGS;
import static io.jkvm.x86.jit.Emit.CD_RUNTIME;
import static io.jkvm.x86.jit.Emit.IN;
import static io.jkvm.x86.jit.Emit.NEXT;
import static io.jkvm.x86.jit.Emit.START;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.exec.Exit;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * How compiled code leaves a block. To the run loop: RIP = nextRip = the target, the block's instructions
 * retired, the pending flags stored, and the queued exit returned when an instruction set
 * {@code c.attention}. Or — from a block that called no handler, to the start of another block of the
 * {@link Region} — straight on inside the class, doing what the run loop would do at that boundary:
 * <ol>
 *   <li>outside 64-bit mode, the lookup's CS-limit check (a fall-through target was never checked);
 *   <li>{@code Interpreter.quietBoundary()}: no request, no poll due, no event to deliver — else the run
 *       loop takes over the boundary;
 *   <li>the lookup's byte check of the next block ({@link #checkCode}) — if its bytes changed, RIP is set
 *       and {@link CompiledBlock#CHANGED} sends the run loop to decode them.
 * </ol>
 * The translation, mode and CS cannot have changed since the class was entered (only handlers change
 * them), so the lookup would find exactly that block.
 */
final class Exits {
    /** Target kinds of {@link #toNext}: a target only known at run time; no chaining at all. */
    static final int DYNAMIC = -1, NOWHERE = -2;

    private final Emit e;
    private final Region region;
    private final Label[] bodies, entries;
    private Label leave, changed;

    Exits(Emit e, Region region) {
        this.e = e;
        this.region = region;
        int n = region.blocks.size();
        bodies = new Label[n];
        entries = new Label[n];
        for (int j = 0; j < n; j++) bodies[j] = e.cb.newLabel();
    }

    /** Where the code of region block {@code j} begins (after its byte check). */
    Label body(int j) {
        return bodies[j];
    }

    /**
     * Leaves the running block after {@code retired} instructions for the RIP in NEXT: the block's first
     * instruction retires replayed MMIO answers ({@code replay}), the pending flags are stored (without
     * forgetting them: other paths of the same instruction may still read them), a queued exit is returned
     * if {@code attention} may be set. {@code target} is the page offset of a static target, or
     * {@link #DYNAMIC} / {@link #NOWHERE}; chaining to a region block needs a block without handler calls.
     */
    void toNext(int retired, boolean attention, boolean replay, int target) {
        CodeBuilder cb = e.cb;
        if (replay) e.retireReplay();
        e.flags.store();
        if (attention) {
            Label no = cb.newLabel();
            e.getCpu("attention", CD_boolean);
            cb.ifeq(no);
            e.setRips(NEXT);
            e.retire(retired);
            returnAttention();
            cb.labelBinding(no);
        }
        e.retire(retired);
        if (e.onlyInline && target != NOWHERE) {
            int from = e.block.pageOffset();
            for (int j = 0; j < region.blocks.size(); j++) {
                int to = region.blocks.get(j).pageOffset();
                if (target != DYNAMIC && target != to) continue;
                cb.lload(NEXT).lload(START);
                e.lconst(to - from);
                cb.ladd().lcmp().ifeq(entry(j));
            }
        }
        e.setRips(NEXT);
        e.iconst(Exit.NONE);
        cb.ireturn();
    }

    /** The static target of a relative transfer of the current instruction, as a page offset. */
    int relTarget(long imm) {
        return e.block.pageOffset() + e.off + e.len + (int) imm;
    }

    /** The page offset of the instruction after the current one. */
    int fallThrough() {
        return e.block.pageOffset() + e.off + e.len;
    }

    private Label entry(int j) {
        if (entries[j] == null) entries[j] = e.cb.newLabel();
        return entries[j];
    }

    private static final MethodTypeDesc ATTENTION = MethodTypeDesc.of(CD_int, CD_CPU);

    /** Returns {@code JitRuntime.attention(c)}: what the interpreter returns when {@code c.attention} ends a block. */
    void returnAttention() {
        e.cb.aload(C).invokestatic(CD_RUNTIME, "attention", ATTENTION).ireturn();
    }

    /** After a handler call (RIP already set): if {@code c.attention}, leave as the interpreter does. */
    void checkAttention(int retired) {
        CodeBuilder cb = e.cb;
        Label no = cb.newLabel();
        e.getCpu("attention", CD_boolean);
        cb.ifeq(no);
        e.retire(retired);
        returnAttention();
        cb.labelBinding(no);
    }

    /** After an inline memory instruction that is not the block's last: if it set {@code c.attention}, leave. */
    void attentionAfter(int retired) {
        CodeBuilder cb = e.cb;
        Label no = cb.newLabel();
        e.getCpu("attention", CD_boolean);
        cb.ifeq(no);
        e.pushNext();
        cb.lstore(NEXT);
        e.flags.store();
        e.setRips(NEXT);
        e.retire(retired);
        returnAttention();
        cb.labelBinding(no);
    }

    /**
     * Emits the entry sequences of the region blocks some exit chains to, and the two ways out of them.
     * Call once, after all the blocks' code.
     */
    void emitEntries() {
        CodeBuilder cb = e.cb;
        leave = cb.newLabel();
        changed = cb.newLabel();
        boolean any = false;
        for (int j = 0; j < entries.length; j++) {
            if (entries[j] == null) continue;
            any = true;
            cb.labelBinding(entries[j]);
            if (!e.mode64) {
                cb.lload(NEXT);
                e.getCpu("segLimit", CD_LONGS);
                e.iconst(Cpu.CS);
                cb.laload().lcmp().ifgt(leave);
            }
            cb.aload(IN).invokevirtual(CD_INTERP, "quietBoundary", MethodTypeDesc.of(CD_boolean)).ifeq(leave);
            checkCode(region.blocks.get(j), changed);
            cb.lload(NEXT).lstore(START);
            cb.goto_(bodies[j]);
        }
        if (!any) return;
        cb.labelBinding(changed);
        e.setRips(NEXT);
        e.iconst(CompiledBlock.CHANGED);
        cb.ireturn();
        cb.labelBinding(leave);
        e.setRips(NEXT);
        e.iconst(Exit.NONE);
        cb.ireturn();
    }

    private static final ClassDesc CD_GUARD = ClassDesc.of("io.jkvm.x86.CodeGuard");
    private static final MethodTypeDesc UNCHANGED = MethodTypeDesc.of(CD_boolean, CD_long);

    /**
     * Jumps to {@code changed} unless guest memory still holds the bytes {@code b} was compiled from — the
     * run loop's check ({@code Block.guard}), made by the image's own {@link io.jkvm.x86.CodeGuard}.
     */
    void checkCode(BlockImage b, Label changed) {
        CodeBuilder cb = e.cb;
        e.loadData(b.guard, CD_GUARD);
        e.getCpu("codeEpoch", CD_long);
        cb.invokevirtual(CD_GUARD, "unchanged", UNCHANGED).ifeq(changed);
    }
}
