package io.jkvm.vmm.cli;

import io.jkvm.vmm.HostCpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jkvm demo}: boots the Debian-based guest that {@code scripts/build-guest-image} builds (bzImage +
 * initramfs with busybox and the virtio modules) to a shell on COM1, with a virtio-rng. It fails at once,
 * with the reason, where no backend can run a Linux kernel at usable speed — never a silent hang.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Boots a small Linux guest (built by scripts/build-guest-image) to a shell on this terminal.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto", description = "auto, linux or java. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--guest-dir", paramLabel = "DIR", description = "Where the guest image is. Default: $JKVM_GUEST_DIR or ~/.cache/jkvm/guest.")
    Path guestDir;

    @Option(names = "--force", description = "Boot even where kernel code would run at about 1-2 M instructions/s (it will take hours).")
    boolean force;

    @Spec
    CommandSpec spec;

    static Path defaultGuestDir() {
        String env = System.getenv("JKVM_GUEST_DIR");
        return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "jkvm", "guest");
    }

    @Override
    public Integer call() throws Exception {
        HostCpu.Choice choice = HostCpu.choose(backend);
        if (choice.warning() != null && !force)
            throw new CliFailure("demo: cannot boot Linux here at usable speed: " + choice.warning()
                    + ". The java backend will run it once installed; --force tries anyway.");
        Path dir = guestDir != null ? guestDir : defaultGuestDir();
        Path kernel = dir.resolve("bzImage"), initrd = dir.resolve("initramfs.cpio.gz");
        if (!Files.isRegularFile(kernel) || !Files.isRegularFile(initrd))
            throw new CliFailure("demo: no guest image in " + dir + " (bzImage, initramfs.cpio.gz); build it with scripts/build-guest-image");
        List<String> args = new ArrayList<>(List.of("run", "--backend", choice.backend(), "--kernel", kernel.toString(),
                "--initrd", initrd.toString(), "--mem", "256M", "--rng",
                "--append", "console=ttyS0 reboot=k panic=-1 quiet"));
        return spec.root().commandLine().execute(args.toArray(String[]::new));
    }
}
