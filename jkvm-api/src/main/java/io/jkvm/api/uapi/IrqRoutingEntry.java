package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_irq_routing_entry}: one GSI route of KVM_SET_GSI_ROUTING (§4.52). The union {@code u}
 * is an {@link IrqRoutingIrqchip} for {@link #KVM_IRQ_ROUTING_IRQCHIP} and an {@link IrqRoutingMsi} for
 * {@link #KVM_IRQ_ROUTING_MSI}; other types keep their raw eight words.
 */
public record IrqRoutingEntry(int gsi, int type, int flags, Route u) {

    public static final int KVM_IRQ_ROUTING_IRQCHIP = 1;
    public static final int KVM_IRQ_ROUTING_MSI = 2;
    public static final int KVM_IRQ_ROUTING_S390_ADAPTER = 3;
    public static final int KVM_IRQ_ROUTING_HV_SINT = 4;
    public static final int KVM_IRQ_ROUTING_XEN_EVTCHN = 5;
    /** flags: the MSI route carries a device id (ARM ITS only). */
    public static final int KVM_MSI_VALID_DEVID = 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("gsi"), JAVA_INT.withName("type"), JAVA_INT.withName("flags"), JAVA_INT.withName("pad"),
            MemoryLayout.unionLayout(IrqRoutingIrqchip.LAYOUT.withName("irqchip"), IrqRoutingMsi.LAYOUT.withName("msi"),
                    MemoryLayout.sequenceLayout(8, JAVA_INT).withName("pad")).withName("u"))
            .withName("kvm_irq_routing_entry");

    /** {@code struct kvm_irq_routing} header: nr, flags (must be 0); the entries follow. */
    public static final StructLayout ROUTING_HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("nr"), JAVA_INT.withName("flags")).withName("kvm_irq_routing");

    /** The union member of a routing entry. */
    public sealed interface Route permits IrqRoutingIrqchip, IrqRoutingMsi, RawRoute {}

    /** A route type jkvm does not decode: the union's eight u32. */
    public record RawRoute(int[] pad) implements Route {
        public RawRoute {
            if (pad.length != 8) throw new IllegalArgumentException("pad has 8 words");
            pad = pad.clone();
        }
    }

    /** GSI → pin {@code pin} of chip {@code irqchip} (Irqchip.KVM_IRQCHIP_*). */
    public static IrqRoutingEntry irqchip(int gsi, int irqchip, int pin) {
        return new IrqRoutingEntry(gsi, KVM_IRQ_ROUTING_IRQCHIP, 0, new IrqRoutingIrqchip(irqchip, pin));
    }

    /** GSI → a message-signalled interrupt written to {@code address} with {@code data}. */
    public static IrqRoutingEntry msi(int gsi, long address, int data) {
        return new IrqRoutingEntry(gsi, KVM_IRQ_ROUTING_MSI, 0,
                new IrqRoutingMsi((int) address, (int) (address >>> 32), data, 0));
    }

    public static IrqRoutingEntry read(MemorySegment m, long o) {
        int type = Mem.u32(m, o + 4);
        Route u = switch (type) {
            case KVM_IRQ_ROUTING_IRQCHIP -> new IrqRoutingIrqchip(Mem.u32(m, o + 16), Mem.u32(m, o + 20));
            case KVM_IRQ_ROUTING_MSI -> new IrqRoutingMsi(Mem.u32(m, o + 16), Mem.u32(m, o + 20), Mem.u32(m, o + 24),
                    Mem.u32(m, o + 28));
            default -> {
                int[] p = new int[8];
                for (int i = 0; i < 8; i++) p[i] = Mem.u32(m, o + 16 + 4L * i);
                yield new RawRoute(p);
            }
        };
        return new IrqRoutingEntry(Mem.u32(m, o), type, Mem.u32(m, o + 8), u);
    }

    public void write(MemorySegment m, long o) {
        m.asSlice(o, LAYOUT.byteSize()).fill((byte) 0);
        Mem.u32(m, o, gsi);
        Mem.u32(m, o + 4, type);
        Mem.u32(m, o + 8, flags);
        switch (u) {
            case IrqRoutingIrqchip c -> { Mem.u32(m, o + 16, c.irqchip()); Mem.u32(m, o + 20, c.pin()); }
            case IrqRoutingMsi s -> {
                Mem.u32(m, o + 16, s.address_lo());
                Mem.u32(m, o + 20, s.address_hi());
                Mem.u32(m, o + 24, s.data());
                Mem.u32(m, o + 28, s.devid());
            }
            case RawRoute r -> { for (int i = 0; i < 8; i++) Mem.u32(m, o + 16 + 4L * i, r.pad()[i]); }
        }
    }
}
