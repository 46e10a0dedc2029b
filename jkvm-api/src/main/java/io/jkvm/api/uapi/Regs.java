package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_regs} (x86): the general-purpose registers, RIP and RFLAGS. KVM_GET_REGS / KVM_SET_REGS (§4.11–4.12). */
public record Regs(long rax, long rbx, long rcx, long rdx,
                   long rsi, long rdi, long rsp, long rbp,
                   long r8, long r9, long r10, long r11,
                   long r12, long r13, long r14, long r15,
                   long rip, long rflags) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rax"), JAVA_LONG.withName("rbx"), JAVA_LONG.withName("rcx"), JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"), JAVA_LONG.withName("rdi"), JAVA_LONG.withName("rsp"), JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"), JAVA_LONG.withName("r9"), JAVA_LONG.withName("r10"), JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"), JAVA_LONG.withName("r13"), JAVA_LONG.withName("r14"), JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"), JAVA_LONG.withName("rflags")).withName("kvm_regs");

    /** All zero except RFLAGS bit 1, which is always 1 on x86. */
    public static final Regs ZERO = fromArray(new long[18]).withRflags(2);

    /** The registers in kvm_regs order (rax … r15, rip, rflags). */
    public long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    public static Regs fromArray(long[] r) {
        return new Regs(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
                r[14], r[15], r[16], r[17]);
    }

    public static Regs read(MemorySegment s) {
        long[] r = new long[18];
        for (int i = 0; i < 18; i++) r[i] = Mem.u64(s, i * 8L);
        return fromArray(r);
    }

    public void write(MemorySegment s) {
        long[] r = toArray();
        for (int i = 0; i < 18; i++) Mem.u64(s, i * 8L, r[i]);
    }

    public Regs withRip(long v) { long[] r = toArray(); r[16] = v; return fromArray(r); }
    public Regs withRflags(long v) { long[] r = toArray(); r[17] = v; return fromArray(r); }
    public Regs withRsp(long v) { long[] r = toArray(); r[6] = v; return fromArray(r); }
    public Regs withRax(long v) { long[] r = toArray(); r[0] = v; return fromArray(r); }
    public Regs withRbx(long v) { long[] r = toArray(); r[1] = v; return fromArray(r); }
    public Regs withRcx(long v) { long[] r = toArray(); r[2] = v; return fromArray(r); }
    public Regs withRdx(long v) { long[] r = toArray(); r[3] = v; return fromArray(r); }
    public Regs withRsi(long v) { long[] r = toArray(); r[4] = v; return fromArray(r); }
    public Regs withRdi(long v) { long[] r = toArray(); r[5] = v; return fromArray(r); }
}
