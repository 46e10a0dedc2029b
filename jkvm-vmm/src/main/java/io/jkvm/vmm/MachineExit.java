package io.jkvm.vmm;

/** How a machine stopped, and the process exit status {@code jkvm run} gives for it. */
public sealed interface MachineExit {
    int status();

    String describe();

    /** isa-debug-exit: status = (value << 1) | 1, as QEMU. */
    record DebugExit(int status) implements MachineExit {
        public String describe() { return "guest wrote to isa-debug-exit: status " + status; }
    }

    /** The guest asked for a reset (i8042 0xFE, the ACPI reset register, KVM_SYSTEM_EVENT_RESET); jkvm does not reboot, it stops. */
    record Reset(String how) implements MachineExit {
        public int status() { return 0; }
        public String describe() { return "guest reset (" + how + ")"; }
    }

    /** The guest powered off: KVM_SYSTEM_EVENT_SHUTDOWN, or S5 through the ACPI sleep control register. */
    record PowerOff(String how) implements MachineExit {
        public int status() { return 0; }
        public String describe() { return "guest powered off (" + how + ")"; }
    }

    /** The guest kernel panicked and said so through pvpanic; status 1, as QEMU's {@code -action panic=exit-failure}. */
    record GuestPanic(int events) implements MachineExit {
        public int status() { return 1; }
        public String describe() { return String.format("guest kernel panicked (pvpanic event %#x)", events); }
    }

    /** KVM_EXIT_SHUTDOWN: a triple fault. */
    record TripleFault(int vcpu, long rip) implements MachineExit {
        public int status() { return 1; }
        public String describe() { return String.format("vCPU %d triple-faulted (KVM_EXIT_SHUTDOWN) at rip=%#x", vcpu, rip); }
    }

    /** HLT with interrupts off and nothing to wake it, or HLT reaching the VMM without an in-kernel LAPIC. */
    record Halted(int vcpu, long rip) implements MachineExit {
        public int status() { return 0; }
        public String describe() { return String.format("vCPU %d halted at rip=%#x", vcpu, rip); }
    }

    /** Stopped from outside: a signal, a timeout, the embedding program. */
    record Stopped(String why, int status) implements MachineExit {
        public String describe() { return "stopped: " + why; }
    }

    /** An exit the VMM cannot handle, or a failure inside jkvm. */
    record Error(String message) implements MachineExit {
        public int status() { return 1; }
        public String describe() { return message; }
    }
}
