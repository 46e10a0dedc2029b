package io.jkvm.testkit.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a case ended on one backend: at the end marker, in an exception handler (vector, error code and the
 * frame the CPU pushed), or with some other exit; plus the registers and the user-writable memory.
 */
public record Outcome(String kind, int vector, long errorCode, boolean hasErrorCode, long rip, long rflags, long rsp,
                      long cr2, long[] gprs, byte[] memory, String detail) {

    static final String END = "end", EXCEPTION = "exception", OTHER = "other";

    private static final String[] NAMES = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};

    /** Differences from {@code o}, ignoring the flags in {@code undefinedFlags}; empty when they agree. */
    public List<String> diff(Outcome o, int undefinedFlags, int nregs) {
        List<String> d = new ArrayList<>();
        if (!kind.equals(o.kind)) d.add("kind " + describe() + " vs " + o.describe());
        if (!detail.equals(o.detail)) d.add("exit " + detail + " vs " + o.detail);
        if (vector != o.vector) d.add("vector " + vector + " vs " + o.vector);
        if (hasErrorCode != o.hasErrorCode || errorCode != o.errorCode)
            d.add(String.format("error code %s vs %s", hasErrorCode ? Long.toHexString(errorCode) : "-", o.hasErrorCode ? Long.toHexString(o.errorCode) : "-"));
        if (rip != o.rip) d.add(String.format("rip %#x vs %#x", rip, o.rip));
        long mask = ~(undefinedFlags | 0x10000L);   // RF is set in fault frames by some CPUs only
        if ((rflags & mask) != (o.rflags & mask)) d.add(String.format("rflags %#x vs %#x (undefined %#x)", rflags, o.rflags, undefinedFlags));
        if (rsp != o.rsp) d.add(String.format("rsp %#x vs %#x", rsp, o.rsp));
        if (vector == 14 && cr2 != o.cr2) d.add(String.format("cr2 %#x vs %#x", cr2, o.cr2));
        for (int k = 0; k < nregs; k++) {
            if (k == 4) continue;
            if (gprs[k] != o.gprs[k]) d.add(String.format("%s %#x vs %#x", NAMES[k], gprs[k], o.gprs[k]));
        }
        int first = Arrays.mismatch(memory, o.memory);
        if (first >= 0) d.add(String.format("memory differs first at offset %#x (%02x vs %02x)", first, memory[first] & 0xff, o.memory[first] & 0xff));
        return d;
    }

    public String describe() {
        return switch (kind) {
            case EXCEPTION -> "exception " + vector + (hasErrorCode ? "(" + Long.toHexString(errorCode) + ")" : "")
                    + String.format(" at rip %#x", rip);
            case END -> "end";
            default -> "other: " + detail;
        };
    }
}
