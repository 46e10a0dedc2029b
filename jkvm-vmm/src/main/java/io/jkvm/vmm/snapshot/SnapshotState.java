package io.jkvm.vmm.snapshot;

import io.jkvm.vmm.Devices;
import io.jkvm.vmm.MachineConfig;
import io.jkvm.vmm.boot.Boot;
import java.util.List;

/**
 * Everything in {@code snapshot.jkvm}: the machine's configuration (so a restore builds the same machine),
 * where the loader put things, every vCPU, the VM-wide state, every device; and the size and CRC32C of
 * {@code memory.bin}, which holds guest RAM region by region.
 */
public record SnapshotState(MachineConfig config, Boot boot, List<VcpuState> vcpus, VmState vm, Devices.States devices,
                            long memorySize, long memoryCrc32c) {}
