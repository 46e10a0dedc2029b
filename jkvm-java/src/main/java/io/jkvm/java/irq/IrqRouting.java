package io.jkvm.java.irq;

import io.jkvm.api.Errno;
import io.jkvm.api.KvmException;
import io.jkvm.api.uapi.Irqchip;
import io.jkvm.api.uapi.IrqRoutingEntry;
import io.jkvm.api.uapi.IrqRoutingIrqchip;
import io.jkvm.api.uapi.IrqRoutingMsi;
import java.util.ArrayList;
import java.util.List;

/**
 * The GSI routing table (KVM_SET_GSI_ROUTING, Linux virt/kvm/irqchip.c): each GSI fans out to PIC pins,
 * IOAPIC pins and MSI messages. The default table routes GSI 0–15 to both the PIC and the IOAPIC and
 * 16–23 to the IOAPIC only (seed §4.24). Immutable; replaced whole.
 */
final class IrqRouting {
    /** KVM_MAX_IRQ_ROUTES. */
    static final int MAX_ROUTES = 4096;

    final IrqRoutingEntry[][] byGsi;
    final List<IrqRoutingEntry> entries;

    private IrqRouting(List<IrqRoutingEntry> entries) {
        this.entries = List.copyOf(entries);
        int max = -1;
        for (IrqRoutingEntry e : entries) max = Math.max(max, e.gsi());
        List<List<IrqRoutingEntry>> tmp = new ArrayList<>();
        for (int g = 0; g <= max; g++) tmp.add(new ArrayList<>());
        for (IrqRoutingEntry e : entries) tmp.get(e.gsi()).add(e);
        byGsi = new IrqRoutingEntry[max + 1][];
        for (int g = 0; g <= max; g++) byGsi[g] = tmp.get(g).toArray(IrqRoutingEntry[]::new);
    }

    /** Linux's default_routing (arch/x86/kvm/irq_comm.c): GSI i → IOAPIC pin i, and PIC pin i for GSI 0–15. */
    static IrqRouting defaults() {
        List<IrqRoutingEntry> l = new ArrayList<>();
        for (int g = 0; g < Ioapic.NUM_PINS; g++) {
            l.add(IrqRoutingEntry.irqchip(g, Irqchip.KVM_IRQCHIP_IOAPIC, g));
            if (g < 16) l.add(IrqRoutingEntry.irqchip(g, g < 8 ? Irqchip.KVM_IRQCHIP_PIC_MASTER : Irqchip.KVM_IRQCHIP_PIC_SLAVE, g & 7));
        }
        return new IrqRouting(l);
    }

    /** Validates a KVM_SET_GSI_ROUTING table as Linux does (EINVAL for anything malformed). */
    static IrqRouting of(List<IrqRoutingEntry> entries, int flags) {
        if (flags != 0) throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: flags must be 0");
        if (entries.size() > MAX_ROUTES) throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: more than KVM_MAX_IRQ_ROUTES entries");
        List<IrqRoutingEntry> seenChip = new ArrayList<>();
        for (IrqRoutingEntry e : entries) {
            if (e.gsi() < 0 || e.gsi() >= MAX_ROUTES) throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: gsi " + e.gsi());
            if (e.flags() != 0) throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: entry flags must be 0 on x86");
            switch (e.u()) {
                case IrqRoutingIrqchip c -> {
                    if (e.type() != IrqRoutingEntry.KVM_IRQ_ROUTING_IRQCHIP) throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: type/union mismatch");
                    int maxPin = c.irqchip() == Irqchip.KVM_IRQCHIP_IOAPIC ? Ioapic.NUM_PINS : 8;
                    if (c.irqchip() < 0 || c.irqchip() >= Irqchip.KVM_NR_IRQCHIPS || c.pin() < 0 || c.pin() >= maxPin)
                        throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: irqchip " + c.irqchip() + " pin " + c.pin());
                    for (IrqRoutingEntry o : seenChip) {        // one route per GSI per chip
                        if (o.gsi() == e.gsi() && ((IrqRoutingIrqchip) o.u()).irqchip() == c.irqchip())
                            throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: gsi " + e.gsi() + " routed twice to chip " + c.irqchip());
                    }
                    seenChip.add(e);
                }
                case IrqRoutingMsi m -> {
                    if (e.type() != IrqRoutingEntry.KVM_IRQ_ROUTING_MSI) throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: type/union mismatch");
                }
                case IrqRoutingEntry.RawRoute r -> throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: route type " + e.type() + " is not supported on x86");
            }
        }
        return new IrqRouting(entries);
    }

    IrqRoutingEntry[] routes(int gsi) {
        return gsi >= 0 && gsi < byGsi.length ? byGsi[gsi] : new IrqRoutingEntry[0];
    }
}
