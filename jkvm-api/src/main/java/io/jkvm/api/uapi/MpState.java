package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_mp_state}: KVM_GET/SET_MP_STATE (§4.38–4.39). */
public record MpState(int mp_state) {
    public static final int KVM_MP_STATE_RUNNABLE = 0;
    public static final int KVM_MP_STATE_UNINITIALIZED = 1;
    public static final int KVM_MP_STATE_INIT_RECEIVED = 2;
    public static final int KVM_MP_STATE_HALTED = 3;
    public static final int KVM_MP_STATE_SIPI_RECEIVED = 4;
    public static final int KVM_MP_STATE_STOPPED = 5;
    public static final int KVM_MP_STATE_CHECK_STOP = 6;
    public static final int KVM_MP_STATE_OPERATING = 7;
    public static final int KVM_MP_STATE_LOAD = 8;
    public static final int KVM_MP_STATE_AP_RESET_HOLD = 9;
    public static final int KVM_MP_STATE_SUSPENDED = 10;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("mp_state")).withName("kvm_mp_state");

    public static final MpState RUNNABLE = new MpState(KVM_MP_STATE_RUNNABLE);
    public static final MpState UNINITIALIZED = new MpState(KVM_MP_STATE_UNINITIALIZED);
    public static final MpState INIT_RECEIVED = new MpState(KVM_MP_STATE_INIT_RECEIVED);
    public static final MpState HALTED = new MpState(KVM_MP_STATE_HALTED);
    public static final MpState SIPI_RECEIVED = new MpState(KVM_MP_STATE_SIPI_RECEIVED);
}
