package io.jkvm.vmm.cli;

import io.jkvm.api.VcpuExit;

/** Human-readable exits for error messages: the Linux name plus the fields that explain it. */
final class ExitText {
    private ExitText() {}

    static String describe(VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.Io io -> String.format("KVM_EXIT_IO (%s port %#x, size %d, count %d)",
                    io.isOut() ? "OUT to" : "IN from", io.port(), io.size(), io.count());
            // these print their exit data themselves
            case VcpuExit.Mmio e -> e.toString();
            case VcpuExit.InternalError e -> e.toString();
            case VcpuExit.FailEntry e -> e.toString();
            case VcpuExit.Unknown e -> e.toString();
            default -> exit.name();
        };
    }
}
