package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_debug_exit_arch} (x86): the payload of KVM_EXIT_DEBUG. */
public record DebugExitArch(int exception, long pc, long dr6, long dr7) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("exception"), JAVA_INT.withName("pad"), JAVA_LONG.withName("pc"),
            JAVA_LONG.withName("dr6"), JAVA_LONG.withName("dr7")).withName("kvm_debug_exit_arch");
}
