package io.jkvm.vmm.linux;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.testkit.Backends;
import io.jkvm.vmm.JkvmCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debian's cloud kernel and a busybox initramfs (scripts/build-guest-image) boot on the java backend to a
 * shell on the serial console, driven as a user would drive {@code jkvm run}: look around, use the virtio
 * disk and RNG, power off; then a fresh jkvm process boots the same disk, finds the file written before, is
 * stopped with SIGTERM (saving a snapshot) and resumed by another process, and a kernel panic ends it with a
 * failure status. With 1 and with 2 vCPUs.
 */
class LinuxGuestTest {
    static final Duration BOOT = Duration.ofMinutes(8), COMMAND = Duration.ofMinutes(2);
    static final String PROMPT = "/ # ";
    static Path guest;

    @BeforeAll
    static void buildGuestImage() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Path script = root.resolve("scripts/build-guest-image");
        Process p = new ProcessBuilder(script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0)
            Backends.skip("the Debian guest image cannot be built here (scripts/build-guest-image failed):\n" + out);
        String dir = System.getenv("JKVM_GUEST_DIR");
        guest = dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "jkvm", "guest");
    }

    static Path ext4Disk(Path dir) throws Exception {
        Path img = dir.resolve("disk.ext4");
        try (var f = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0);
            f.write(java.nio.ByteBuffer.allocate(1), 32L << 20);   // a sparse 32 MiB file
        }
        Process p;
        try {
            p = new ProcessBuilder("mkfs.ext4", "-q", "-F", img.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Backends.skip("mkfs.ext4 is not installed (Debian package e2fsprogs): no disk for the Linux guest");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "mkfs.ext4: " + out);
        return img;
    }

    static GuestConsole boot(int cpus, Path disk, Path snapshots) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--backend", "java", "--kernel", guest.resolve("bzImage").toString(),
                "--initrd", guest.resolve("initramfs.cpio.gz").toString(), "--mem", "256M", "--cpus", Integer.toString(cpus),
                "--disk", disk.toString(), "--rng", "--append", "console=ttyS0", "--snapshot-dir", snapshots.toString()));
        return new GuestConsole(JkvmCommand.of(args));
    }

    /** A fresh jkvm resuming the snapshot in {@code snapshots}. */
    static GuestConsole resume(Path snapshots) throws IOException {
        return new GuestConsole(JkvmCommand.of(List.of("run", "--snapshot-dir", snapshots.toString())));
    }

    @ParameterizedTest(name = "{0} vCPU(s)")
    @ValueSource(ints = {1, 2})
    void bootsToAShellUsesItsDevicesAndKeepsTheDiskAcrossBoots(int cpus, @TempDir Path dir) throws Exception {
        Path disk = ext4Disk(dir);
        String nonce = UUID.randomUUID().toString();
        try (GuestConsole c = boot(cpus, disk, dir.resolve("first"))) {
            c.waitFor(PROMPT, BOOT);
            String uname = c.run("uname -a", COMMAND);
            assertTrue(uname.startsWith("Linux ") && uname.contains(" x86_64 "), uname);
            assertEquals(Integer.toString(cpus), c.run("nproc", COMMAND).trim(), "nproc");
            assertEquals(Integer.toString(cpus), c.run("grep -c ^processor /proc/cpuinfo", COMMAND).trim(), "/proc/cpuinfo");
            String ls = c.run("ls /", COMMAND);
            assertTrue(ls.contains("proc") && ls.contains("bin"), ls);
            String irqs = c.run("cat /proc/interrupts", COMMAND);
            assertTrue(irqs.contains("CPU0") && irqs.contains("ttyS0"), irqs);
            if (cpus == 2) assertTrue(irqs.contains("CPU1"), irqs);
            assertTrue(c.run("dmesg | head -1", COMMAND).contains("Linux version"), "dmesg");
            assertTrue(c.run("ls /sys/bus/virtio/devices", COMMAND).contains("virtio0"), "virtio devices");
            String rng = c.run("head -c 16 /dev/hwrng | od -An -tx1 | wc -w", COMMAND);
            assertEquals("16", rng.trim(), "16 bytes from /dev/hwrng");
            String w = c.run("mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && echo " + nonce
                    + " > /mnt/hello && sync && umount /mnt && echo written", COMMAND);
            assertTrue(w.contains("written"), w);
            c.type("poweroff");
            assertEquals(0, c.exitStatus(COMMAND), "poweroff ends jkvm with status 0");
        }
        Path snapshots = dir.resolve("second");
        try (GuestConsole c = boot(cpus, disk, snapshots)) {
            c.waitFor(PROMPT, BOOT);
            String r = c.run("mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && cat /mnt/hello", COMMAND);
            assertTrue(r.contains(nonce), "the file written before the reboot: " + r);
            c.run("cat /proc/uptime > /tmp/before", COMMAND);
            c.terminate();
            assertEquals(143, c.exitStatus(COMMAND), "SIGTERM: the VM is saved, status 128 + 15");
        }
        try (GuestConsole c = resume(snapshots)) {
            // the shell was waiting at its prompt when the VM was saved: it answers as if nothing happened
            String r = c.run("cat /mnt/hello; read b x < /tmp/before; read n y < /proc/uptime; "
                    + "echo ${b%.*} ${n%.*}", COMMAND);
            assertTrue(r.contains(nonce), "the mounted disk after the restore: " + r);
            String[] up = r.strip().lines().reduce((a, b) -> b).orElseThrow().split(" ");
            long before = Long.parseLong(up[0]), after = Long.parseLong(up[1]);
            assertTrue(after >= before && after < before + 120, "guest uptime continues across the restore: " + r);
            c.type("echo c > /proc/sysrq-trigger");
            int status = c.exitStatus(COMMAND);
            assertNotEquals(0, status, "a kernel panic ends jkvm with a failure status");
            assertTrue(c.tail().contains("Kernel panic"), c.tail());
        }
    }
}
