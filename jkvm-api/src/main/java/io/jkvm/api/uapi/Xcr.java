package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_xcr}: one extended control register (XCR0 is {@code xcr == 0}). */
public record Xcr(int xcr, int reserved, long value) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("xcr"), JAVA_INT.withName("reserved"), JAVA_LONG.withName("value")).withName("kvm_xcr");

    public Xcr(int xcr, long value) {
        this(xcr, 0, value);
    }
}
