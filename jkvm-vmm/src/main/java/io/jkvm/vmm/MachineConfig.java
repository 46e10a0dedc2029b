package io.jkvm.vmm;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a machine is built from: what {@code jkvm run} collects from its options, and what a snapshot
 * records so that a restore builds the same machine.
 *
 * @param backend "linux", "java" (resolved, never "auto")
 * @param memSize bytes of RAM
 * @param cpus number of vCPUs
 * @param kernel what to boot (null for a machine restored from a snapshot)
 * @param cmdline the command line given by the user (device announcements are appended by the builder)
 * @param disks virtio-blk images, in order
 * @param rng a virtio-rng device
 * @param virtioConsole a virtio-console device, which then receives the console input instead of the UART
 * @param acpi ACPI tables (and the ACPI power-management ports) describe the machine, its virtio devices
 *             included; without, Linux learns the CPUs from the MP table alone and the virtio devices from
 *             {@code virtio_mmio.device=} on its command line
 */
public record MachineConfig(String backend, long memSize, int cpus, Kernel kernel, String cmdline, List<Disk> disks,
                            boolean rng, boolean virtioConsole, boolean acpi) {
    public MachineConfig {
        disks = List.copyOf(disks);
    }

    /** The kinds of image jkvm boots. */
    public enum KernelKind { BZIMAGE, VMLINUX, MULTIBOOT }

    /** A kernel image with its initrd (Linux) or modules (multiboot). */
    public record Kernel(KernelKind kind, Path path, Path initrd, List<Path> modules) {
        public Kernel {
            modules = List.copyOf(modules);
        }
    }

    /** A raw disk image; {@code readOnly} → VIRTIO_BLK_F_RO. */
    public record Disk(Path path, boolean readOnly) {}

    /** The smallest useful machine: 1 vCPU, {@code memSize} RAM, no devices beyond the legacy ones, ACPI. */
    public static MachineConfig multiboot(String backend, long memSize, Path image, String cmdline) {
        return new MachineConfig(backend, memSize, 1, new Kernel(KernelKind.MULTIBOOT, image, null, List.of()), cmdline,
                List.of(), false, false, true);
    }

    public MachineConfig withDisks(List<Disk> d) {
        return new MachineConfig(backend, memSize, cpus, kernel, cmdline, d, rng, virtioConsole, acpi);
    }

    public MachineConfig withRng(boolean on) {
        return new MachineConfig(backend, memSize, cpus, kernel, cmdline, disks, on, virtioConsole, acpi);
    }

    public MachineConfig withVirtioConsole(boolean on) {
        return new MachineConfig(backend, memSize, cpus, kernel, cmdline, disks, rng, on, acpi);
    }

    public MachineConfig withAcpi(boolean on) {
        return new MachineConfig(backend, memSize, cpus, kernel, cmdline, disks, rng, virtioConsole, on);
    }

    public MachineConfig withCpus(int n) {
        return new MachineConfig(backend, memSize, n, kernel, cmdline, disks, rng, virtioConsole, acpi);
    }
}
