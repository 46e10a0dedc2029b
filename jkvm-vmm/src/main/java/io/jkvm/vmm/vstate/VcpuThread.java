package io.jkvm.vmm.vstate;

import io.jkvm.api.KvmRun;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.Mem;
import io.jkvm.vmm.MachineExit;
import java.lang.foreign.MemorySegment;

/**
 * One vCPU's loop (Firecracker's {@code vstate/vcpu.rs}, kvmtool's {@code kvm-cpu.c}): KVM_RUN, dispatch the
 * exit to the port-I/O or MMIO bus, repeat. It parks when the machine pauses and ends when it stops. Both are
 * driven by {@link Vcpu#kick()}: a kick makes the next (or the current) KVM_RUN return KVM_EXIT_INTR, and
 * because KVM completes a pending IN or MMIO read on that KVM_RUN first, a parked vCPU's state is complete —
 * safe to snapshot.
 */
public final class VcpuThread implements Runnable {
    /** What the machine shares with its vCPU threads. */
    public interface Control {
        /** True while the machine wants vCPUs parked; blocks while paused and returns false once resumed. */
        boolean parkIfPaused(int vcpu) throws InterruptedException;

        boolean stopping();

        /** Ends the machine with {@code exit} (the first caller wins). */
        void finish(MachineExit exit);
    }

    private final Vcpu vcpu;
    private final Bus pio, mmio;
    private final Control control;

    public VcpuThread(Vcpu vcpu, Bus pio, Bus mmio, Control control) {
        this.vcpu = vcpu;
        this.pio = pio;
        this.mmio = mmio;
        this.control = control;
    }

    @Override
    public void run() {
        try {
            while (!control.stopping()) {
                VcpuExit exit = vcpu.run();
                MachineExit end = handle(exit);
                if (end != null) {
                    control.finish(end);
                    return;
                }
                if (exit instanceof VcpuExit.Intr) {
                    while (control.parkIfPaused(vcpu.id())) { /* woken to re-check */ }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | java.lang.Error e) {
            control.finish(new MachineExit.Error("vCPU " + vcpu.id() + ": " + e));
        }
    }

    /** Handles one exit; returns how the machine ends, or null to go on. */
    private MachineExit handle(VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.Io io -> {
                pio(io);
                yield null;
            }
            case VcpuExit.Mmio m -> {
                if (m.is_write()) mmio.write(m.phys_addr(), m.len(), m.data());
                else m.data(mmio.read(m.phys_addr(), m.len()));
                yield null;
            }
            case VcpuExit.Intr _, VcpuExit.IrqWindowOpen _ -> null;
            case VcpuExit.Hlt _ -> new MachineExit.Halted(vcpu.id(), rip());
            case VcpuExit.Shutdown _ -> new MachineExit.TripleFault(vcpu.id(), rip());
            case VcpuExit.SystemEvent e -> switch (e.type()) {
                case KvmRun.KVM_SYSTEM_EVENT_SHUTDOWN -> new MachineExit.PowerOff("KVM_SYSTEM_EVENT_SHUTDOWN");
                case KvmRun.KVM_SYSTEM_EVENT_RESET -> new MachineExit.Reset("KVM_SYSTEM_EVENT_RESET");
                default -> new MachineExit.Error("vCPU " + vcpu.id() + ": " + e + " at rip=" + hex(rip()));
            };
            case VcpuExit other -> new MachineExit.Error("vCPU " + vcpu.id() + ": unexpected " + other + describe(other)
                    + " at rip=" + hex(rip()));
        };
    }

    /** Port I/O, including string I/O (count > 1): each element is one bus access. */
    private void pio(VcpuExit.Io io) {
        MemorySegment run = io.run().segment();
        long off = io.data_offset();
        int size = io.size();
        for (int i = 0; i < io.count(); i++, off += size) {
            if (io.isOut()) pio.write(io.port(), size, read(run, off, size));
            else write(run, off, size, pio.read(io.port(), size));
        }
    }

    private static long read(MemorySegment s, long off, int size) {
        return switch (size) {
            case 1 -> Mem.u8(s, off);
            case 2 -> Mem.u16(s, off);
            default -> Mem.u32(s, off) & 0xffffffffL;
        };
    }

    private static void write(MemorySegment s, long off, int size, long v) {
        switch (size) {
            case 1 -> Mem.u8(s, off, (int) v);
            case 2 -> Mem.u16(s, off, (int) v);
            default -> Mem.u32(s, off, (int) v);
        }
    }

    private static String describe(VcpuExit e) {
        if (e instanceof VcpuExit.InternalError ie && ie.insn_bytes().length > 0)
            return " insn=" + java.util.HexFormat.of().formatHex(ie.insn_bytes());
        return "";
    }

    private long rip() {
        try {
            return vcpu.getRegs().rip();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** The vCPU this thread runs. */
    public Vcpu vcpu() {
        return vcpu;
    }

}
