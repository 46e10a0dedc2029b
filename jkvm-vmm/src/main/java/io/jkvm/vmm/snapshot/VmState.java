package io.jkvm.vmm.snapshot;

import io.jkvm.api.uapi.ClockData;
import io.jkvm.api.uapi.Irqchip;
import io.jkvm.api.uapi.PitState2;
import java.util.List;

/** VM-wide in-kernel state: the PICs and IOAPIC (KVM_GET_IRQCHIP ×3), the PIT (null without one), kvmclock. */
public record VmState(List<Irqchip> irqchips, PitState2 pit, ClockData clock) {}
