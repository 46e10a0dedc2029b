package io.jkvm.vmm.cli;

import io.jkvm.api.VcpuExit;

/** Human-readable exits for error messages: the Linux name plus the fields that explain it. */
final class ExitText {
    private ExitText() {}

    static String describe(VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.Io io -> String.format("KVM_EXIT_IO (%s port %#x, size %d, count %d)",
                    io.isOut() ? "OUT to" : "IN from", io.port(), io.size(), io.count());
            case VcpuExit.Mmio m -> String.format("KVM_EXIT_MMIO (%s %#x, len %d)",
                    m.run().mmio_is_write() != 0 ? "write to" : "read of", m.run().mmio_phys_addr(), m.run().mmio_len());
            // these print their exit data themselves
            case VcpuExit.InternalError e -> e.toString();
            case VcpuExit.FailEntry e -> e.toString();
            case VcpuExit.Unknown e -> e.toString();
            default -> exit.name();
        };
    }
}
