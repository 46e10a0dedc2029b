package io.jkvm.java;

import io.jkvm.api.Cap;
import io.jkvm.api.Errno;
import io.jkvm.api.KvmException;
import io.jkvm.api.uapi.EnableCap;

/**
 * The capabilities a VM can switch on with KVM_ENABLE_CAP (api.rst §4.37 and §7), with Linux's rules:
 * flags must be 0, and anything else is EINVAL.
 * <ul>
 *   <li>KVM_CAP_EXCEPTION_PAYLOAD: KVM_GET/SET_VCPU_EVENTS carry "pending" exceptions and their payload
 *       (CR2, DR6), which is applied only when the exception is delivered.</li>
 *   <li>KVM_CAP_X86_DISABLE_EXITS: of the exits that can be disabled only PAUSE is offered — the java
 *       backend never exits on PAUSE, so disabling it changes nothing observable; like Linux it must come
 *       before the first vCPU.</li>
 *   <li>KVM_CAP_HALT_POLL: how long an in-kernel HLT keeps polling for a wake-up before it parks the vCPU
 *       thread (a 32-bit number of nanoseconds).</li>
 * </ul>
 */
final class VmCaps {
    static final int KVM_X86_DISABLE_EXITS_PAUSE = 1 << 2;
    /** The DISABLE_EXITS bits this backend accepts (its KVM_CHECK_EXTENSION answer). */
    static final int DISABLE_EXITS_SUPPORTED = KVM_X86_DISABLE_EXITS_PAUSE;

    volatile boolean exceptionPayload;
    volatile int disabledExits;
    volatile long haltPollNs;

    void enable(EnableCap cap, boolean vcpusExist) {
        if (cap.flags() != 0) throw new KvmException(Errno.EINVAL, "KVM_ENABLE_CAP: flags must be 0");
        Cap c = Cap.of(cap.cap());
        long arg0 = cap.args()[0];
        switch (c) {
            case KVM_CAP_EXCEPTION_PAYLOAD -> exceptionPayload = arg0 != 0;
            case KVM_CAP_X86_DISABLE_EXITS -> {
                if ((arg0 & ~DISABLE_EXITS_SUPPORTED) != 0)
                    throw new KvmException(Errno.EINVAL, "KVM_CAP_X86_DISABLE_EXITS: exits " + Long.toHexString(arg0)
                            + " cannot be disabled (supported: " + DISABLE_EXITS_SUPPORTED + ")");
                if (vcpusExist) throw new KvmException(Errno.EINVAL, "KVM_CAP_X86_DISABLE_EXITS: vCPUs already exist");
                disabledExits |= (int) arg0;
            }
            case KVM_CAP_HALT_POLL -> {
                if (arg0 != (arg0 & 0xffff_ffffL))
                    throw new KvmException(Errno.EINVAL, "KVM_CAP_HALT_POLL: " + arg0 + " ns does not fit 32 bits");
                haltPollNs = arg0;
            }
            case null, default -> throw new KvmException(Errno.EINVAL,
                    "KVM_ENABLE_CAP: capability " + (c == null ? Integer.toString(cap.cap()) : c.name()) + " cannot be enabled on this VM");
        }
    }
}
