package io.jkvm.vmm;

import io.jkvm.vmm.devices.legacy.AcpiPm;
import io.jkvm.vmm.devices.legacy.Cmos;
import io.jkvm.vmm.devices.legacy.CmosState;
import io.jkvm.vmm.devices.legacy.DebugExit;
import io.jkvm.vmm.devices.legacy.FwCfg;
import io.jkvm.vmm.devices.legacy.I8042;
import io.jkvm.vmm.devices.legacy.I8042State;
import io.jkvm.vmm.devices.legacy.Port80;
import io.jkvm.vmm.devices.legacy.Uart16550a;
import io.jkvm.vmm.devices.legacy.Uart16550aState;
import io.jkvm.vmm.devices.virtio.mmio.MmioTransport;
import io.jkvm.vmm.devices.virtio.mmio.MmioTransportState;
import java.util.List;

/**
 * The devices of one machine, as the {@link Builder} wired them; {@link #states()} is what a snapshot saves.
 * {@code acpiPm} is null in a machine without ACPI.
 */
public record Devices(Uart16550a uart, I8042 i8042, Cmos cmos, Port80 port80, DebugExit debugExit, AcpiPm acpiPm,
                      FwCfg fwCfg, List<Virtio> virtio) {

    /** A virtio-mmio device: its name, register window, ISA IRQ and transport. */
    public record Virtio(String name, long base, int irq, MmioTransport transport) {}

    /** Every device's state record (the transports' and the virtio devices' own). */
    public record States(Uart16550aState uart, I8042State i8042, CmosState cmos, Port80.State port80,
                         FwCfg.State fwCfg, List<VirtioState> virtio) {}

    public record VirtioState(MmioTransportState transport, Record device) {}

    public States states() {
        return new States(uart.state(), i8042.state(), cmos.state(), port80.state(), fwCfg.state(),
                virtio.stream().map(v -> new VirtioState(v.transport.state(), v.transport.device().state())).toList());
    }
}
