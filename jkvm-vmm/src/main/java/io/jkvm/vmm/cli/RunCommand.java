package io.jkvm.vmm.cli;

import io.jkvm.vmm.Builder;
import io.jkvm.vmm.ConsoleIo;
import io.jkvm.vmm.HostCpu;
import io.jkvm.vmm.Machine;
import io.jkvm.vmm.MachineConfig;
import io.jkvm.vmm.MachineExit;
import io.jkvm.vmm.boot.Elf;
import io.jkvm.vmm.profile.GuestProfiler;
import io.jkvm.vmm.profile.SymbolMap;
import io.jkvm.vmm.snapshot.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jkvm run}: builds a machine ({@link Builder}), boots a Linux kernel (bzImage or ELF vmlinux) or a
 * multiboot image, connects COM1 to the terminal and exits with the guest's status: isa-debug-exit's
 * {@code (value << 1) | 1}, 0 for a power-off or reset, 1 with a message for anything that went wrong.
 * Ctrl-C / SIGTERM stop the VM (status 130 / 143); with {@code --snapshot-dir} they first save a snapshot
 * there, and a later {@code jkvm run --snapshot-dir D} without a kernel resumes it.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Boots a Linux kernel or a multiboot image in a jkvm machine; the console is COM1 on this terminal.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--kernel", paramLabel = "FILE", description = "Linux kernel: bzImage, or a 64-bit ELF vmlinux.")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE", description = "Initial ramdisk for --kernel.")
    Path initrd;

    @Option(names = "--append", paramLabel = "CMDLINE",
            description = "Kernel command line (default for Linux: '" + Builder.DEFAULT_LINUX_CMDLINE + "'; with --no-acpi, virtio devices are appended).")
    String append;

    @Option(names = "--multiboot", paramLabel = "FILE", description = "Multiboot (v1) image, e.g. a kvm-unit-tests test.")
    Path multiboot;

    @Option(names = "--module", paramLabel = "FILE", description = "Multiboot module (repeatable).")
    List<Path> modules = new ArrayList<>();

    @Option(names = "--mem", paramLabel = "SIZE", defaultValue = "256M", description = "Guest RAM, e.g. 64M, 1G. Default: ${DEFAULT-VALUE}.")
    String mem;

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "1", description = "vCPUs (1.." + Builder.MAX_CPUS + "). Default: ${DEFAULT-VALUE}.")
    int cpus;

    @Option(names = "--disk", paramLabel = "FILE[,ro]", description = "Raw disk image as virtio-blk (repeatable); ',ro' makes it read-only.")
    List<String> disks = new ArrayList<>();

    @Option(names = "--rng", description = "Add a virtio-rng device.")
    boolean rng;

    @Option(names = "--virtio-console", description = "Add a virtio-console (hvc0); terminal input then goes to it instead of COM1.")
    boolean virtioConsole;

    @Option(names = "--no-acpi", description = "No ACPI tables: the guest sees the MP table only, and Linux the virtio devices on its command line (virtio_mmio.device=).")
    boolean noAcpi;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "auto (/dev/kvm where the CPU has VT-x/SVM, else java), linux or java. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--snapshot-dir", paramLabel = "DIR",
            description = "On Ctrl-C/SIGTERM save a snapshot here; if DIR holds one and no kernel is given, resume it.")
    Path snapshotDir;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop the guest after this many seconds (status 124).")
    Long timeoutSeconds;

    @Option(names = "--no-stdin", description = "Do not forward this process's stdin to the guest console (needed for a background job: reading the terminal would stop it).")
    boolean noStdin;

    @Option(names = "--profile", paramLabel = "SYSTEM.MAP",
            description = "java backend: sample the guest's RIP every millisecond and print its busiest functions "
                    + "(named from the kernel's System.map; boot with nokaslr) when the guest ends.")
    Path profile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean resume = snapshotDir != null && Files.exists(snapshotDir.resolve(Snapshot.STATE_FILE));
        if (resume && (kernel != null || multiboot != null))
            throw usage("--snapshot-dir " + snapshotDir + " holds a snapshot: resume it without --kernel/--multiboot, or use another directory");
        if (!resume && (kernel == null) == (multiboot == null)) throw usage("give exactly one of --kernel and --multiboot");
        if (initrd != null && kernel == null) throw usage("--initrd needs --kernel");
        if (!modules.isEmpty() && multiboot == null) throw usage("--module needs --multiboot");
        PrintWriter err = spec.commandLine().getErr();
        OutputStream out = consoleOut();
        InputStream in = noStdin ? null : System.in;
        Machine m;
        if (resume) {
            m = Snapshot.restore(snapshotDir, new ConsoleIo(out, in));
        } else {
            HostCpu.Choice choice = HostCpu.choose(backend);
            if (choice.warning() != null) err.println("jkvm run: warning: " + choice.warning());
            m = Builder.build(config(choice.backend()), new ConsoleIo(out, in));
        }
        SymbolMap symbols = profile == null ? null : SymbolMap.load(profile);
        try (m; Terminal term = in == null ? null : Terminal.rawIfTty();
                GuestProfiler prof = new GuestProfiler(profile == null ? List.of() : m.vcpus())) {
            if (profile != null && !prof.active()) err.println("jkvm run: warning: --profile needs the java backend; no profile");
            prof.start();
            MachineExit exit = runToExit(m, err);
            if (term != null) term.restore();
            out.flush();
            prof.close();
            if (prof.active()) prof.report(err, symbols, 40);
            report(exit, err);
            return exit.status();
        }
    }

    private MachineConfig config(String chosenBackend) throws IOException {
        long memSize = parseSize(mem);
        List<MachineConfig.Disk> ds = new ArrayList<>();
        for (String d : disks) {
            boolean ro = d.endsWith(",ro");
            ds.add(new MachineConfig.Disk(Path.of(ro ? d.substring(0, d.length() - 3) : d), ro));
        }
        MachineConfig.Kernel k;
        if (multiboot != null) {
            k = new MachineConfig.Kernel(MachineConfig.KernelKind.MULTIBOOT, multiboot, null, modules);
        } else {
            boolean elf = Files.isRegularFile(kernel) && Elf.isElf(head(kernel));
            k = new MachineConfig.Kernel(elf ? MachineConfig.KernelKind.VMLINUX : MachineConfig.KernelKind.BZIMAGE, kernel, initrd, List.of());
        }
        String cmdline = append != null ? append : multiboot != null ? "" : null;
        return new MachineConfig(chosenBackend, memSize, cpus, k, cmdline, ds, rng, virtioConsole, !noAcpi);
    }

    /** Runs until the guest ends, a signal arrives or the timeout passes. */
    private MachineExit runToExit(Machine m, PrintWriter err) throws InterruptedException {
        AtomicReference<String> signal = new AtomicReference<>();
        Signals.onInterrupt(signal);
        m.start();
        long deadline = timeoutSeconds == null ? Long.MAX_VALUE : System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (true) {
            MachineExit e = m.waitForExit(Duration.ofMillis(100));
            if (e != null) return e;
            String sig = signal.get();
            if (sig != null) return stopOnSignal(m, sig, err);
            if (System.nanoTime() > deadline) {
                m.stop(new MachineExit.Stopped("--timeout " + timeoutSeconds + " s passed", 124));
                return m.awaitExit(Duration.ofSeconds(10));
            }
        }
    }

    private MachineExit stopOnSignal(Machine m, String sig, PrintWriter err) throws InterruptedException {
        int status = sig.equals("INT") ? 130 : 143;
        if (snapshotDir != null && m.pause(Duration.ofSeconds(10))) {
            Snapshot.save(m, snapshotDir);
            m.stop(new MachineExit.Stopped("SIG" + sig + "; snapshot saved to " + snapshotDir, status));
        } else {
            m.stop(new MachineExit.Stopped("SIG" + sig, status));
        }
        return m.awaitExit(Duration.ofSeconds(10));
    }

    private static void report(MachineExit exit, PrintWriter err) {
        switch (exit) {
            case MachineExit.DebugExit _, MachineExit.PowerOff _, MachineExit.Reset _ -> { }
            default -> err.println("jkvm run: " + exit.describe());
        }
        err.flush();
    }

    /** Raw bytes to the process's stdout when run from main(); through the command's writer otherwise (tests). */
    private OutputStream consoleOut() {
        PrintWriter w = spec.commandLine().getOut();
        if (w == Main.processStdout) return System.out;
        return new OutputStream() {
            @Override
            public void write(int b) {
                w.write(b & 0xff);
            }

            @Override
            public void flush() {
                w.flush();
            }
        };
    }

    static long parseSize(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K")) unit = 1L << 10;
        else if (t.endsWith("M")) unit = 1L << 20;
        else if (t.endsWith("G")) unit = 1L << 30;
        if (unit != 1) t = t.substring(0, t.length() - 1);
        try {
            long v = Long.parseLong(t) * unit;
            if (v <= 0 || v % 4096 != 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new io.jkvm.vmm.boot.BootException("--mem " + s + ": not a size in whole pages like 64M or 1G");
        }
    }

    private static byte[] head(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            return in.readNBytes(4);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
