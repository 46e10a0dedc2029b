package io.jkvm.java.irq;

import io.jkvm.api.Errno;
import io.jkvm.api.KvmException;
import io.jkvm.api.uapi.Irqchip;
import io.jkvm.api.uapi.IoapicState;
import io.jkvm.api.uapi.IrqRoutingEntry;
import io.jkvm.api.uapi.IrqRoutingIrqchip;
import io.jkvm.api.uapi.IrqRoutingMsi;
import io.jkvm.api.uapi.LapicState;
import io.jkvm.api.uapi.PicState;
import java.util.List;

/**
 * The in-kernel interrupt controllers of one VM (KVM_CREATE_IRQCHIP): the PIC pair, the IOAPIC, one LAPIC
 * per vCPU, and the GSI routing between them. Everything runs under one lock; vCPUs learn about new work
 * through {@link Target#interruptStateChanged()}, which may wake a halted vCPU thread.
 */
public final class IrqChip {
    /** What the irqchip needs from a vCPU. */
    public interface Target {
        /** Something changed that may make an interrupt deliverable (or not): recompute, wake if halted. */
        void interruptStateChanged();

        /** The LAPIC timer was (re)programmed: re-evaluate sleep deadlines. */
        void timerChanged();

        /** Converts a guest TSC value to host {@code System.nanoTime()}. */
        long tscToNs(long tsc);

        void init();

        void sipi(int vector);

        void nmi();
    }

    private final Object lock = new Object();
    private final I8259 pic = new I8259(this);
    private final Ioapic ioapic = new Ioapic(this);
    private final Lapic[] lapics = new Lapic[256];
    private volatile IrqRouting routing = IrqRouting.defaults();
    private int bootCpu;
    private volatile boolean picOutput;

    public IrqChip(int bootCpu) {
        this.bootCpu = bootCpu;
    }

    public Object lock() {
        return lock;
    }

    public Lapic addVcpu(int id, Target t) {
        synchronized (lock) {
            Lapic l = new Lapic(this, id, t, id == bootCpu);
            lapics[id] = l;
            return l;
        }
    }

    // ================================================================ inputs

    /** KVM_IRQ_LINE: drives {@code gsi} through its routes; returns the KVM_IRQ_LINE_STATUS-style result. */
    public void setIrq(int gsi, int level) {
        synchronized (lock) {
            for (IrqRoutingEntry e : routing.routes(gsi)) {
                switch (e.u()) {
                    case IrqRoutingIrqchip c -> {
                        if (c.irqchip() == Irqchip.KVM_IRQCHIP_IOAPIC) ioapic.setIrq(c.pin(), level);
                        else pic.setIrq(c.irqchip() * 8 + c.pin(), level);
                    }
                    case IrqRoutingMsi m -> { if (level != 0) msi(m.address(), m.data()); }
                    default -> { }
                }
            }
        }
    }

    public void setRouting(List<IrqRoutingEntry> entries, int flags) {
        IrqRouting r = IrqRouting.of(entries, flags);
        synchronized (lock) {
            routing = r;
        }
    }

    /** KVM_SIGNAL_MSI and MSI routes: an x86 MSI message (address 0xFEExxxxx, data = vector/mode/trigger). */
    public int signalMsi(long address, int data) {
        synchronized (lock) {
            return msi(address, data);
        }
    }

    private int msi(long address, int data) {
        if ((address & 0xfff00000L) != 0xfee00000L) return 0;
        long dest = (address >>> 12) & 0xff | ((address >>> 32) & 0xffffff00L);
        boolean logical = (address & (1 << 2)) != 0;
        int vector = data & 0xff, mode = (data >> 8) & 7;
        boolean level = (data & (1 << 15)) != 0;
        return deliver(vector, mode, level, dest, logical);
    }

    // ================================================================ delivery

    /** Delivers an interrupt message to the LAPICs it names; returns how many accepted it. */
    int deliver(int vector, int mode, boolean level, long dest, boolean logical) {
        int n = 0;
        Lapic lowest = null;
        for (Lapic l : lapics) {
            if (l == null || !l.matches(dest, logical)) continue;
            if (mode == 1) {                              // lowest priority: the first match (KVM may rotate)
                if (lowest == null) lowest = l;
                continue;
            }
            deliverTo(l, vector, mode, level);
            n++;
        }
        if (lowest != null) {
            deliverTo(lowest, vector, 0, level);
            n++;
        }
        return n;
    }

    private void deliverTo(Lapic l, int vector, int mode, boolean level) {
        switch (mode) {
            case 0, 1 -> l.accept(vector, level);
            case 4 -> l.target.nmi();
            case 5 -> l.target.init();
            case 6 -> l.target.sipi(vector);
            case 7 -> l.target.interruptStateChanged();  // ExtINT: the PIC answers the INTA
            default -> { }                                // SMI: not modelled
        }
    }

    /** ICR write: destination shorthand, then the message. */
    void sendIpi(Lapic from, int icr, long dest) {
        int vector = icr & 0xff, mode = (icr >> 8) & 7, shorthand = (icr >> 18) & 3;
        boolean logical = (icr & (1 << 11)) != 0, levelTriggered = (icr & (1 << 15)) != 0, asserted = (icr & (1 << 14)) != 0;
        if (mode == 5 && levelTriggered && !asserted) return;   // INIT level de-assert: not an INIT (as KVM)
        switch (shorthand) {
            case 1 -> deliverTo(from, vector, mode, false);
            case 2, 3 -> {
                for (Lapic l : lapics) if (l != null && (shorthand == 2 || l != from)) deliverTo(l, vector, mode, false);
            }
            default -> deliver(vector, mode, false, dest, logical);
        }
    }

    void ioapicEoi(int vector) {
        ioapic.eoi(vector);
    }

    void picOutputChanged(boolean high) {
        if (high == picOutput) return;
        picOutput = high;
        for (Lapic l : lapics) if (l != null) l.target.interruptStateChanged();
    }

    // ================================================================ CPU side

    /** True when {@code l}'s CPU has an interrupt to take (PIC through LINT0/ExtINT, or the LAPIC's own). */
    public boolean pending(Lapic l) {
        synchronized (lock) {
            if (picOutput && l.vcpuId == bootCpu && l.acceptsPicInterrupt()) return true;
            return l.pendingVector() >= 0;
        }
    }

    /** INTA for {@code l}'s CPU: the PIC's vector first (ExtINT), else the LAPIC's; -1 when none. */
    public int acknowledge(Lapic l) {
        synchronized (lock) {
            if (picOutput && l.vcpuId == bootCpu && l.acceptsPicInterrupt()) return pic.acknowledge();
            return l.acknowledge();
        }
    }

    /** Fires expired LAPIC timers of {@code l}. */
    public void pollTimer(Lapic l, long nowNs) {
        if (nowNs < l.timerDeadlineNs()) return;
        synchronized (lock) {
            l.pollTimer(nowNs);
        }
    }

    // ================================================================ device access

    public boolean isApicMmio(Lapic l, long gpa) {
        return !l.x2apic() && l.hwEnabled() && (gpa & ~0xfffL) == (l.apicBase() & ~0xfffL);
    }

    public int apicRead(Lapic l, int off, long nowNs) {
        synchronized (lock) {
            return l.read(off & 0xff0, nowNs);
        }
    }

    public void apicWrite(Lapic l, int off, int v, long nowNs) {
        synchronized (lock) {
            l.write(off & 0xff0, v, nowNs);
        }
    }

    /** x2APIC MSR 0x800–0x8ff; false → #GP. */
    public boolean x2apicRead(Lapic l, int msr, long nowNs, long[] out) {
        synchronized (lock) {
            if (!l.x2apic()) return false;
            int off = (msr - 0x800) << 4;
            if (off == Lapic.ICR) {
                out[0] = (l.get(Lapic.ICR) & 0xffffffffL) | ((long) l.get(Lapic.ICR2) << 32);
                return true;
            }
            if (off == Lapic.DFR || off == Lapic.ICR2 || off == Lapic.EOI || off == Lapic.SELF_IPI || off > Lapic.TDCR) return false;
            out[0] = l.read(off, nowNs) & 0xffffffffL;
            return true;
        }
    }

    public boolean x2apicWrite(Lapic l, int msr, long v, long nowNs) {
        synchronized (lock) {
            if (!l.x2apic()) return false;
            int off = (msr - 0x800) << 4;
            if (off == Lapic.ICR) {
                l.set(Lapic.ICR2, (int) (v >>> 32));
                return l.write(Lapic.ICR, (int) v, nowNs);
            }
            if ((v >>> 32) != 0) return false;
            return l.write(off, (int) v, nowNs);
        }
    }

    public boolean setApicBase(Lapic l, long v, boolean host) {
        synchronized (lock) {
            return l.setApicBase(v, host);
        }
    }

    public void setTscDeadline(Lapic l, long tsc, long nowNs) {
        synchronized (lock) {
            l.setTscDeadline(tsc, nowNs);
        }
    }

    public long tscDeadline(Lapic l) {
        synchronized (lock) {
            return l.tscDeadline();
        }
    }

    public int tpr(Lapic l) {
        synchronized (lock) {
            return l.get(Lapic.TPR);
        }
    }

    public void setTpr(Lapic l, int tpr) {
        synchronized (lock) {
            l.set(Lapic.TPR, tpr & 0xff);
            l.update();
        }
    }

    public boolean isIoapicMmio(long gpa) {
        long b = ioapic.base;
        return gpa >= b && gpa < b + 0x100;
    }

    public int ioapicRead(long gpa) {
        synchronized (lock) {
            return ioapic.read(gpa - ioapic.base);
        }
    }

    public void ioapicWrite(long gpa, int v) {
        synchronized (lock) {
            ioapic.write(gpa - ioapic.base, v);
        }
    }

    public int picRead(int port) {
        synchronized (lock) {
            return pic.read(port);
        }
    }

    public void picWrite(int port, int v) {
        synchronized (lock) {
            pic.write(port, v);
        }
    }

    public static boolean isPicPort(int port) {
        return I8259.handles(port);
    }

    public void resetLapic(Lapic l) {
        synchronized (lock) {
            l.reset(l.vcpuId == bootCpu);
            l.update();
        }
    }

    // ================================================================ KVM_GET/SET_IRQCHIP, KVM_GET/SET_LAPIC

    public Irqchip get(int chipId) {
        synchronized (lock) {
            return switch (chipId) {
                case Irqchip.KVM_IRQCHIP_PIC_MASTER, Irqchip.KVM_IRQCHIP_PIC_SLAVE -> new Irqchip(chipId, pic.chips[chipId].state());
                case Irqchip.KVM_IRQCHIP_IOAPIC -> new Irqchip(chipId, ioapic.state());
                default -> throw new KvmException(Errno.EINVAL, "KVM_GET_IRQCHIP: chip_id " + chipId);
            };
        }
    }

    public void set(Irqchip c) {
        synchronized (lock) {
            switch (c.chip_id()) {
                case Irqchip.KVM_IRQCHIP_PIC_MASTER, Irqchip.KVM_IRQCHIP_PIC_SLAVE -> {
                    if (!(c.chip() instanceof PicState p)) throw new KvmException(Errno.EINVAL, "KVM_SET_IRQCHIP: PIC state expected");
                    pic.chips[c.chip_id()].setState(p);
                    pic.update();
                }
                case Irqchip.KVM_IRQCHIP_IOAPIC -> {
                    if (!(c.chip() instanceof IoapicState s)) throw new KvmException(Errno.EINVAL, "KVM_SET_IRQCHIP: IOAPIC state expected");
                    ioapic.setState(s);
                }
                default -> throw new KvmException(Errno.EINVAL, "KVM_SET_IRQCHIP: chip_id " + c.chip_id());
            }
        }
    }

    public LapicState getLapic(Lapic l) {
        synchronized (lock) {
            return l.state();
        }
    }

    public void setLapic(Lapic l, LapicState s, long nowNs) {
        synchronized (lock) {
            l.setState(s, nowNs);
        }
    }

    public void setBootCpu(int id) {
        synchronized (lock) {
            bootCpu = id;
        }
    }
}
