package io.jkvm.vmm;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.KvmException;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.api.uapi.LapicState;
import io.jkvm.api.uapi.PitState2;
import io.jkvm.vmm.arch.x86.BootCpu;
import io.jkvm.vmm.arch.x86.Cpuid;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.arch.x86.Mptable;
import io.jkvm.vmm.arch.x86.acpi.Acpi;
import io.jkvm.vmm.arch.x86.acpi.Dsdt;
import io.jkvm.vmm.boot.Boot;
import io.jkvm.vmm.boot.BootException;
import io.jkvm.vmm.boot.BzImage;
import io.jkvm.vmm.boot.Multiboot;
import io.jkvm.vmm.boot.Vmlinux;
import io.jkvm.vmm.devices.legacy.AcpiPm;
import io.jkvm.vmm.devices.legacy.PvPanic;
import io.jkvm.vmm.devices.legacy.Cmos;
import io.jkvm.vmm.devices.legacy.DebugExit;
import io.jkvm.vmm.devices.legacy.FwCfg;
import io.jkvm.vmm.devices.legacy.I8042;
import io.jkvm.vmm.devices.legacy.Port80;
import io.jkvm.vmm.devices.legacy.Uart16550a;
import io.jkvm.vmm.devices.virtio.VirtioDevice;
import io.jkvm.vmm.devices.virtio.block.Block;
import io.jkvm.vmm.devices.virtio.block.DiskFile;
import io.jkvm.vmm.devices.virtio.console.Console;
import io.jkvm.vmm.devices.virtio.mmio.MmioTransport;
import io.jkvm.vmm.devices.virtio.rng.Rng;
import io.jkvm.vmm.vstate.Bus;
import io.jkvm.vmm.vstate.GuestMemory;
import io.jkvm.vmm.vstate.IrqLine;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The recipe of a jkvm x86 machine, in the order it is built; every device and address is named here
 * (addresses in {@link Layout}). {@link #build} makes a fresh machine from a {@link MachineConfig};
 * {@link #assemble} is the part shared with snapshot restore (everything except loading and CPU set-up).
 */
public final class Builder {
    private Builder() {}

    public static final int MAX_CPUS = Mptable.MAX_CPUS;
    public static final long MIN_MEM = 4L << 20;
    /** The command line a Linux guest gets when the user gives none. */
    public static final String DEFAULT_LINUX_CMDLINE = "console=ttyS0 reboot=k panic=-1";

    /** Builds and loads a machine; the caller {@link Machine#start()}s it. */
    public static Machine build(MachineConfig c, ConsoleIo io) {
        Parts p = assemble(c, null, io);
        try {
            Boot boot = load(c, p);
            Mptable.write(p.memory, c.cpus());  // kept with ACPI too, for kernels built without it
            if (c.acpi()) Acpi.write(p.memory, c.cpus(), acpiVirtio(p));
            Devices devices = p.devices(fwCfg(c, boot));
            List<CpuidEntry2> supported = p.kvm.getSupportedCpuid();
            List<Vcpu> vcpus = new ArrayList<>();
            for (int id = 0; id < c.cpus(); id++) {
                Vcpu v = p.vm.createVcpu(id);
                vcpus.add(v);
                v.setCpuid2(Cpuid.forVcpu(supported, id, c.cpus()));
                if (p.irqchip) setLint(v, id == 0);
                if (id == 0) BootCpu.setup(v, p.memory, boot.entry());
                // the others wait for INIT/SIPI in the in-kernel LAPIC (KVM_MP_STATE_UNINITIALIZED)
            }
            return p.machine(c, devices, vcpus, boot, io);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** What a snapshot restore supplies, in the order the builder calls it. */
    public interface Restorer {
        /** Fills guest RAM. */
        void memory(GuestMemory memory);

        /** Restores one vCPU, created with the saved id, before any other VM-wide state. */
        void vcpu(Vcpu vcpu);

        /** Restores the VM-wide state: irqchip, PIT, clock. */
        void vm(Vm vm);
    }

    /** Builds the machine {@code c} describes with its devices in {@code states}, then lets {@code r} restore the rest. */
    public static Machine restore(MachineConfig c, Boot boot, Devices.States states, int[] vcpuIds, ConsoleIo io, Restorer r) {
        Parts p = assemble(c, states, io);
        try {
            r.memory(p.memory);
            Devices devices = p.devices(fwCfg(c, boot).withState(states.fwCfg()));
            List<Vcpu> vcpus = new ArrayList<>();
            for (int id : vcpuIds) {
                Vcpu v = p.vm.createVcpu(id);
                vcpus.add(v);
                r.vcpu(v);
            }
            r.vm(p.vm);
            return p.machine(c, devices, vcpus, boot, io);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The pieces of a machine before its vCPUs exist. */
    static final class Parts {
        Kvm kvm;
        Vm vm;
        Arena arena;
        GuestMemory memory;
        boolean irqchip, pit;
        final Bus pio = new Bus("port I/O"), mmio = new Bus("MMIO");
        Uart16550a uart;
        I8042 i8042;
        Cmos cmos;
        Port80 port80;
        DebugExit debugExit;
        AcpiPm acpiPm;
        FwCfg fwCfg;
        final List<Devices.Virtio> virtio = new ArrayList<>();
        final List<Closeable> resources = new ArrayList<>();
        Console virtioConsole;
        MmioTransport virtioConsoleTransport;
        Machine machine;

        Devices devices(FwCfg fw) {
            fwCfg = fw;
            pio.register(FwCfg.PORT_SEL, FwCfg.LENGTH, "fw_cfg", fw);
            return new Devices(uart, i8042, cmos, port80, debugExit, acpiPm, fwCfg, List.copyOf(virtio));
        }

        Machine machine(MachineConfig c, Devices devices, List<Vcpu> vcpus, Boot boot, ConsoleIo io) {
            machine = new Machine(c, kvm, vm, arena, memory, pio, mmio, devices, vcpus, boot, resources);
            if (io.in() != null) {
                machine.consolePump(virtioConsole != null
                        ? ConsoleIo.virtioPump(io.in(), virtioConsoleTransport, virtioConsole)
                        : ConsoleIo.uartPump(io.in(), uart));
            }
            return machine;
        }

        void close() {
            if (vm != null) vm.close();
            if (kvm != null) kvm.close();
            for (Closeable r : resources) {
                try {
                    r.close();
                } catch (IOException ignored) {
                    // nothing more to do with a disk we failed to use
                }
            }
            if (arena != null) arena.close();
        }
    }

    /**
     * Steps shared by build and restore: VM, RAM, in-kernel irqchip and PIT, buses and devices (from
     * {@code states}, or in their power-on state when null). fw_cfg comes later (its items need the boot).
     */
    static Parts assemble(MachineConfig c, Devices.States states, ConsoleIo io) {
        validate(c);
        Parts p = new Parts();
        try {
            p.kvm = Kvm.open(c.backend());
            p.vm = p.kvm.createVm();
            memory(c, p);
            interruptControllers(p);
            legacyDevices(c, states, io, p);
            virtioDevices(c, states, io, p);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    static void validate(MachineConfig c) {
        if (c.cpus() < 1 || c.cpus() > MAX_CPUS) throw new BootException("--cpus " + c.cpus() + ": must be 1.." + MAX_CPUS);
        if (c.memSize() < MIN_MEM) throw new BootException("--mem " + c.memSize() + ": at least 4 MiB");
        if (c.disks().size() + (c.rng() ? 1 : 0) + (c.virtioConsole() ? 1 : 0) > Layout.VIRTIO_IRQS.length)
            throw new BootException("at most " + Layout.VIRTIO_IRQS.length + " virtio devices");
    }

    /** RAM: one allocation, mapped as slot 0 below the MMIO hole and slot 1 from 4 GiB. */
    private static void memory(MachineConfig c, Parts p) {
        p.arena = Arena.ofShared();
        MemorySegment ram;
        try {
            ram = p.arena.allocate(c.memSize(), 2 << 20);
        } catch (OutOfMemoryError e) {
            throw new BootException("--mem " + (c.memSize() >> 20) + "M: cannot allocate guest RAM: " + e.getMessage());
        }
        long low = Layout.lowRamEnd(c.memSize()), high = Layout.highRamSize(c.memSize());
        List<GuestMemory.Region> regions = new ArrayList<>();
        regions.add(new GuestMemory.Region(0, 0, ram.asSlice(0, low)));
        if (high > 0) regions.add(new GuestMemory.Region(1, Layout.FOUR_GIB, ram.asSlice(low, high)));
        for (GuestMemory.Region r : regions) p.vm.setUserMemoryRegion(r.slot(), 0, r.gpa(), r.segment());
        p.memory = new GuestMemory(regions);
    }

    /** In-kernel PIC + IOAPIC + LAPICs and the PIT, where the backend has them. */
    private static void interruptControllers(Parts p) {
        if (p.vm.checkExtension(Cap.KVM_CAP_SET_TSS_ADDR) > 0) p.vm.setTssAddr(0xfffb_d000L);  // Intel real-mode helper pages
        if (p.vm.checkExtension(Cap.KVM_CAP_IRQCHIP) > 0) {
            p.vm.createIrqchip();
            p.irqchip = true;
        }
        if (p.irqchip && p.vm.checkExtension(Cap.KVM_CAP_PIT2) > 0) {
            try {
                p.vm.createPit2(PitState2.KVM_PIT_SPEAKER_DUMMY);
                p.pit = true;
            } catch (KvmException e) {
                if (e.errno() != io.jkvm.api.Errno.ENOTTY) throw e;
            }
        }
    }

    private static IrqLine irq(Parts p, int gsi) {
        if (!p.irqchip) return IrqLine.NONE;
        Vm vm = p.vm;
        return level -> vm.irqLine(gsi, level ? 1 : 0);
    }

    private static void legacyDevices(MachineConfig c, Devices.States s, ConsoleIo io, Parts p) {
        I8042.ResetLine reset = () -> p.machine.stop(new MachineExit.Reset("i8042 reset"));
        DebugExit.ExitLine exit = status -> p.machine.stop(new MachineExit.DebugExit(status));
        p.uart = s == null ? Uart16550a.create(io.out(), irq(p, Uart16550a.COM1_IRQ))
                : Uart16550a.fromState(s.uart(), io.out(), irq(p, Uart16550a.COM1_IRQ));
        p.i8042 = s == null ? I8042.create(reset) : I8042.fromState(s.i8042(), reset);
        p.cmos = s == null ? Cmos.create(() -> System.currentTimeMillis() / 1000, Layout.lowRamEnd(c.memSize()), Layout.highRamSize(c.memSize()))
                : Cmos.fromState(s.cmos(), () -> System.currentTimeMillis() / 1000);
        p.port80 = s == null ? Port80.create() : Port80.fromState(s.port80());
        p.debugExit = DebugExit.create(exit);
        p.pio.register(Uart16550a.COM1_BASE, Uart16550a.PORT_COUNT, "COM1 (16550A)", p.uart);
        p.pio.register(I8042.BASE, I8042.LENGTH, "i8042", p.i8042);
        p.pio.register(Cmos.BASE, Cmos.LENGTH, "CMOS/RTC", p.cmos);
        p.pio.register(Port80.PORT, 1, "port 0x80", p.port80);
        p.pio.register(DebugExit.PORT, DebugExit.LENGTH, "isa-debug-exit", p.debugExit);
        if (c.acpi()) {
            p.acpiPm = AcpiPm.create(new AcpiPm.PowerLine() {
                public void powerOff() { p.machine.stop(new MachineExit.PowerOff("ACPI S5")); }

                public void reset() { p.machine.stop(new MachineExit.Reset("ACPI reset register")); }
            });
            p.pio.register(AcpiPm.BASE, AcpiPm.LENGTH, "ACPI PM (sleep control/status, reset)", p.acpiPm);
            p.pio.register(PvPanic.PORT, 1, "pvpanic", new PvPanic(events -> p.machine.stop(new MachineExit.GuestPanic(events))));
        }
    }

    /** virtio-mmio devices at VIRTIO_MMIO_BASE + i * 0x1000 with IRQ VIRTIO_IRQS[i]: disks, then rng, then console. */
    private static void virtioDevices(MachineConfig c, Devices.States s, ConsoleIo io, Parts p) {
        List<VirtioDevice> devs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < c.disks().size(); i++) {
            MachineConfig.Disk d = c.disks().get(i);
            DiskFile file;
            try {
                file = DiskFile.open(d.path(), d.readOnly());
            } catch (IOException e) {
                throw new BootException(e.getMessage() != null && e.getMessage().startsWith("disk ") ? e.getMessage()
                        : "disk " + d.path() + ": " + e);
            }
            p.resources.add(file);
            devs.add(Block.create(file, "jkvm-disk-" + i));
            names.add("virtio-blk " + d.path().getFileName());
        }
        if (c.rng()) {
            SecureRandom random = new SecureRandom();
            devs.add(Rng.create(random::nextBytes));
            names.add("virtio-rng");
        }
        if (c.virtioConsole()) {
            Console console = s == null ? Console.create(io.out())
                    : Console.fromState((Console.State) s.virtio().get(devs.size()).device(), io.out());
            devs.add(console);
            names.add("virtio-console");
            p.virtioConsole = console;
        }
        for (int i = 0; i < devs.size(); i++) {
            long base = Layout.VIRTIO_MMIO_BASE + Layout.VIRTIO_MMIO_STRIDE * i;
            int gsi = Layout.VIRTIO_IRQS[i];
            MmioTransport t = s == null ? MmioTransport.create(devs.get(i), p.memory, irq(p, gsi))
                    : MmioTransport.fromState(s.virtio().get(i).transport(), devs.get(i), p.memory, irq(p, gsi));
            p.mmio.register(base, MmioTransport.WINDOW, names.get(i), t);
            p.virtio.add(new Devices.Virtio(names.get(i), base, gsi, t));
            if (devs.get(i) == p.virtioConsole) p.virtioConsoleTransport = t;
        }
    }

    /**
     * Loads the kernel. Linux kernels learn where the RSDP is from boot_params when the machine has ACPI;
     * without ACPI they get the virtio devices announced on their command line instead.
     */
    static Boot load(MachineConfig c, Parts p) {
        MachineConfig.Kernel k = c.kernel();
        if (k == null) throw new BootException("no kernel to boot");
        long rsdp = c.acpi() ? Acpi.RSDP_ADDR : 0;
        return switch (k.kind()) {
            case MULTIBOOT -> Multiboot.load(p.memory, c.memSize(), k.path(), k.modules(), c.cmdline() == null ? "" : c.cmdline());
            case BZIMAGE -> BzImage.load(p.memory, c.memSize(), k.path(), k.initrd(), linuxCmdline(c, p), rsdp);
            case VMLINUX -> Vmlinux.load(p.memory, c.memSize(), k.path(), k.initrd(), linuxCmdline(c, p), rsdp);
        };
    }

    /**
     * The user's command line (or the default); without ACPI, plus {@code virtio_mmio.device=512@<base>:<irq>}
     * per device. With ACPI the DSDT describes the devices, and a kernel that honoured both would register
     * each device twice.
     */
    static String linuxCmdline(MachineConfig c, Parts p) {
        StringBuilder b = new StringBuilder(c.cmdline() == null ? DEFAULT_LINUX_CMDLINE : c.cmdline());
        if (!c.acpi()) {
            for (Devices.Virtio v : p.virtio)
                b.append(String.format(" virtio_mmio.device=%d@%#x:%d", MmioTransport.WINDOW, v.base(), v.irq()));
        }
        return b.toString().strip();
    }

    /** The virtio-mmio devices as the DSDT describes them. */
    static List<Dsdt.VirtioMmio> acpiVirtio(Parts p) {
        return p.virtio.stream().map(v -> new Dsdt.VirtioMmio(v.base(), MmioTransport.WINDOW, v.irq())).toList();
    }

    /** fw_cfg items: CPUs, RAM, and where the loader put the kernel, initrd and command line, with their data. */
    static FwCfg fwCfg(MachineConfig c, Boot boot) {
        FwCfg.Builder b = new FwCfg.Builder()
                .u16(FwCfg.FW_CFG_NB_CPUS, c.cpus()).u16(FwCfg.FW_CFG_MAX_CPUS, c.cpus())
                .u64(FwCfg.FW_CFG_RAM_SIZE, c.memSize())
                .u32(FwCfg.FW_CFG_KERNEL_ADDR, boot.kernelStart()).u32(FwCfg.FW_CFG_KERNEL_ENTRY, boot.entry().rip())
                .u32(FwCfg.FW_CFG_INITRD_ADDR, boot.initrdAddr()).u32(FwCfg.FW_CFG_CMDLINE_ADDR, boot.cmdlineAddr());
        MachineConfig.Kernel k = c.kernel();
        byte[] kernel = k == null ? new byte[0] : readQuietly(k.path());
        byte[] initrd = k == null || k.initrd() == null ? new byte[0] : readQuietly(k.initrd());
        byte[] cmdline = ((c.cmdline() == null ? "" : c.cmdline()) + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        b.u32(FwCfg.FW_CFG_KERNEL_SIZE, kernel.length).put(FwCfg.FW_CFG_KERNEL_DATA, kernel);
        b.u32(FwCfg.FW_CFG_INITRD_SIZE, initrd.length).put(FwCfg.FW_CFG_INITRD_DATA, initrd);
        b.u32(FwCfg.FW_CFG_CMDLINE_SIZE, cmdline.length).put(FwCfg.FW_CFG_CMDLINE_DATA, cmdline);
        return b.build();
    }

    private static byte[] readQuietly(java.nio.file.Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            return new byte[0];  // the loader read it a moment ago; a vanished file only empties the fw_cfg item
        }
    }

    /**
     * LINT0 = ExtINT (the 8259 PIC's output), LINT1 = NMI: the wiring of a PC, as Firecracker and QEMU set it.
     * The BSP's LINT0 is also unmasked, as a PC BIOS leaves it (QEMU's apic_reset_common, KVM's
     * KVM_X86_QUIRK_LINT0_REENABLED): PIC interrupts reach a guest that never programs its local APIC.
     */
    static void setLint(Vcpu v, boolean bsp) {
        byte[] regs = v.getLapic().regs();
        setDeliveryMode(regs, 0x350, 0x7);  // APIC_LVT0: ExtINT
        if (bsp) regs[0x352] &= ~0x01;      // APIC_LVT_MASKED (bit 16) off
        setDeliveryMode(regs, 0x360, 0x4);  // APIC_LVT1: NMI
        v.setLapic(new LapicState(regs));
    }

    private static void setDeliveryMode(byte[] regs, int off, int mode) {
        int v = (regs[off] & 0xff) | (regs[off + 1] & 0xff) << 8;
        v = (v & ~0x700) | mode << 8;
        regs[off] = (byte) v;
        regs[off + 1] = (byte) (v >> 8);
    }
}
