package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.function.Consumer;

/**
 * {@code struct kvm_vcpu_events}: pending/injected exception, interrupt and NMI, SIPI vector, SMM and
 * triple-fault state (KVM_GET/SET_VCPU_EVENTS, §4.31–4.32). The nested structs of Linux are flattened
 * with their prefix: {@code exception.injected} → {@code exception_injected}. Layout as in current Linux
 * (the seed's prefix of it plus smi, triple_fault and the exception payload).
 */
public record VcpuEvents(
        int exception_injected, int exception_nr, int exception_has_error_code, int exception_pending,
        int exception_error_code,
        int interrupt_injected, int interrupt_nr, int interrupt_soft, int interrupt_shadow,
        int nmi_injected, int nmi_pending, int nmi_masked,
        int sipi_vector, int flags,
        int smi_smm, int smi_pending, int smi_smm_inside_nmi, int smi_latched_init,
        int triple_fault_pending,
        int exception_has_payload, long exception_payload) {

    public static final int KVM_VCPUEVENT_VALID_NMI_PENDING = 0x1;
    public static final int KVM_VCPUEVENT_VALID_SIPI_VECTOR = 0x2;
    public static final int KVM_VCPUEVENT_VALID_SHADOW = 0x4;
    public static final int KVM_VCPUEVENT_VALID_SMM = 0x8;
    public static final int KVM_VCPUEVENT_VALID_PAYLOAD = 0x10;
    public static final int KVM_VCPUEVENT_VALID_TRIPLE_FAULT = 0x20;
    public static final int KVM_X86_SHADOW_INT_MOV_SS = 0x1;
    public static final int KVM_X86_SHADOW_INT_STI = 0x2;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.structLayout(JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("nr"),
                    JAVA_BYTE.withName("has_error_code"), JAVA_BYTE.withName("pending"),
                    JAVA_INT.withName("error_code")).withName("exception"),
            MemoryLayout.structLayout(JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("nr"),
                    JAVA_BYTE.withName("soft"), JAVA_BYTE.withName("shadow")).withName("interrupt"),
            MemoryLayout.structLayout(JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("pending"),
                    JAVA_BYTE.withName("masked"), JAVA_BYTE.withName("pad")).withName("nmi"),
            JAVA_INT.withName("sipi_vector"), JAVA_INT.withName("flags"),
            MemoryLayout.structLayout(JAVA_BYTE.withName("smm"), JAVA_BYTE.withName("pending"),
                    JAVA_BYTE.withName("smm_inside_nmi"), JAVA_BYTE.withName("latched_init")).withName("smi"),
            MemoryLayout.structLayout(JAVA_BYTE.withName("pending")).withName("triple_fault"),
            MemoryLayout.sequenceLayout(26, JAVA_BYTE).withName("reserved"),
            JAVA_BYTE.withName("exception_has_payload"),
            JAVA_LONG.withName("exception_payload")).withName("kvm_vcpu_events");

    public static final VcpuEvents NONE = new VcpuEvents(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static VcpuEvents read(MemorySegment m) {
        return new VcpuEvents(Mem.u8(m, 0), Mem.u8(m, 1), Mem.u8(m, 2), Mem.u8(m, 3), Mem.u32(m, 4),
                Mem.u8(m, 8), Mem.u8(m, 9), Mem.u8(m, 10), Mem.u8(m, 11),
                Mem.u8(m, 12), Mem.u8(m, 13), Mem.u8(m, 14),
                Mem.u32(m, 16), Mem.u32(m, 20),
                Mem.u8(m, 24), Mem.u8(m, 25), Mem.u8(m, 26), Mem.u8(m, 27),
                Mem.u8(m, 28), Mem.u8(m, 55), Mem.u64(m, 56));
    }

    public void write(MemorySegment m) {
        m.asSlice(0, 64).fill((byte) 0);
        Mem.u8(m, 0, exception_injected); Mem.u8(m, 1, exception_nr); Mem.u8(m, 2, exception_has_error_code);
        Mem.u8(m, 3, exception_pending); Mem.u32(m, 4, exception_error_code);
        Mem.u8(m, 8, interrupt_injected); Mem.u8(m, 9, interrupt_nr); Mem.u8(m, 10, interrupt_soft);
        Mem.u8(m, 11, interrupt_shadow);
        Mem.u8(m, 12, nmi_injected); Mem.u8(m, 13, nmi_pending); Mem.u8(m, 14, nmi_masked);
        Mem.u32(m, 16, sipi_vector); Mem.u32(m, 20, flags);
        Mem.u8(m, 24, smi_smm); Mem.u8(m, 25, smi_pending); Mem.u8(m, 26, smi_smm_inside_nmi);
        Mem.u8(m, 27, smi_latched_init);
        Mem.u8(m, 28, triple_fault_pending);
        Mem.u8(m, 55, exception_has_payload); Mem.u64(m, 56, exception_payload);
    }

    /** A copy with the changes {@code edit} makes to a mutable builder. */
    public VcpuEvents with(Consumer<Builder> edit) {
        Builder b = new Builder(this);
        edit.accept(b);
        return b.build();
    }

    /** Mutable form of {@link VcpuEvents}. */
    public static final class Builder {
        public int exception_injected, exception_nr, exception_has_error_code, exception_pending, exception_error_code;
        public int interrupt_injected, interrupt_nr, interrupt_soft, interrupt_shadow;
        public int nmi_injected, nmi_pending, nmi_masked, sipi_vector, flags;
        public int smi_smm, smi_pending, smi_smm_inside_nmi, smi_latched_init, triple_fault_pending;
        public int exception_has_payload;
        public long exception_payload;

        Builder(VcpuEvents e) {
            exception_injected = e.exception_injected; exception_nr = e.exception_nr;
            exception_has_error_code = e.exception_has_error_code; exception_pending = e.exception_pending;
            exception_error_code = e.exception_error_code;
            interrupt_injected = e.interrupt_injected; interrupt_nr = e.interrupt_nr;
            interrupt_soft = e.interrupt_soft; interrupt_shadow = e.interrupt_shadow;
            nmi_injected = e.nmi_injected; nmi_pending = e.nmi_pending; nmi_masked = e.nmi_masked;
            sipi_vector = e.sipi_vector; flags = e.flags;
            smi_smm = e.smi_smm; smi_pending = e.smi_pending; smi_smm_inside_nmi = e.smi_smm_inside_nmi;
            smi_latched_init = e.smi_latched_init; triple_fault_pending = e.triple_fault_pending;
            exception_has_payload = e.exception_has_payload; exception_payload = e.exception_payload;
        }

        public VcpuEvents build() {
            return new VcpuEvents(exception_injected, exception_nr, exception_has_error_code, exception_pending,
                    exception_error_code, interrupt_injected, interrupt_nr, interrupt_soft, interrupt_shadow,
                    nmi_injected, nmi_pending, nmi_masked, sipi_vector, flags, smi_smm, smi_pending,
                    smi_smm_inside_nmi, smi_latched_init, triple_fault_pending, exception_has_payload,
                    exception_payload);
        }
    }
}
