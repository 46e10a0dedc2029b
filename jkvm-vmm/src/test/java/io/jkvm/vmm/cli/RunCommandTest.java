package io.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.testkit.Backends;
import io.jkvm.vmm.HostCpu;
import io.jkvm.vmm.boot.SyntheticBzImage;
import io.jkvm.vmm.machine.Guests;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code jkvm run}: the guest's status, its console on stdout, and one clear message for every bad input. */
class RunCommandTest {
    @TempDir
    Path dir;

    static java.util.stream.Stream<String> backends() {
        return Backends.all();
    }

    Cli run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "run";
        all[1] = "--no-stdin";
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void multibootGuestStatusAndConsole(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        Path img = Guests.image(dir, "hello", """
                    mov $msg, %esi
                    call puts
                    exit 0x2a
                msg: .asciz "hi from the guest\\n"
                """);
        Cli r = run("--backend", backend, "--multiboot", img.toString(), "--mem", "16M");
        assertEquals(0x55, r.status(), r.transcript());
        assertEquals("hi from the guest\n", r.out(), r.transcript());
        if (backend.equals("linux") && !HostCpu.hardwareVirtualization())
            assertTrue(r.err().contains("warning: this host CPU has no VT-x/SVM"), r.transcript());
    }

    /** An ACPI poweroff is a clean exit, status 0 with nothing on stderr; --no-acpi removes the port. */
    @ParameterizedTest
    @MethodSource("backends")
    void acpiPoweroffExitsZeroAndNoAcpiRemovesIt(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        Path img = Guests.image(dir, "poweroff", """
                    mov $0x34, %al
                    mov $0x600, %dx
                    out %al, %dx
                    exit 0x2a
                """);
        Cli r = run("--backend", backend, "--multiboot", img.toString(), "--mem", "16M");
        assertEquals(0, r.status(), r.transcript());
        assertEquals("", r.err().replaceAll("jkvm run: warning: [^\n]*\n", ""), r.transcript());
        Cli noAcpi = run("--backend", backend, "--multiboot", img.toString(), "--mem", "16M", "--no-acpi");
        assertEquals(0x55, noAcpi.status(), noAcpi.transcript());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void badInputsGiveTheirMessageAndStatus1(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        Path missing = dir.resolve("missing");
        assertFails(run("--backend", backend, "--kernel", missing.toString()), "bzImage " + missing + ": no such file");
        Path text = Files.writeString(dir.resolve("README"), "not a kernel\n".repeat(100));
        assertFails(run("--backend", backend, "--kernel", text.toString()), "bzImage " + text + ": setup header magic");
        SyntheticBzImage s = new SyntheticBzImage();
        s.initSize = 48 << 20;
        Path big = Files.write(dir.resolve("bzImage"), s.bytes());
        assertFails(run("--backend", backend, "--kernel", big.toString(), "--mem", "32M"), "raise --mem");
        s.initSize = 8 << 20;
        Path k = Files.write(dir.resolve("bzImage2"), s.bytes());
        Path rd = Files.write(dir.resolve("initrd"), new byte[24 << 20]);
        assertFails(run("--backend", backend, "--kernel", k.toString(), "--initrd", rd.toString(), "--mem", "32M"),
                "initrd " + rd + ": ");
        assertFails(run("--backend", backend, "--multiboot", text.toString()), "multiboot " + text + ": no multiboot header");
        Path snap = Files.createDirectories(dir.resolve("snap"));
        Files.writeString(snap.resolve("snapshot.jkvm"), "garbage");
        assertFails(run("--snapshot-dir", snap.toString()), "snapshot " + snap.resolve("snapshot.jkvm") + ": not a jkvm snapshot");
        assertFails(run("--backend", backend, "--multiboot", text.toString(), "--mem", "12Q"), "--mem 12Q");
        assertFails(run("--backend", backend, "--kernel", k.toString(), "--disk", missing + ",ro"), "disk " + missing + ": no such file");
    }

    static void assertFails(Cli r, String message) {
        assertEquals(1, r.status(), r.transcript());
        assertTrue(r.err().contains(message), "expected «" + message + "» in:\n" + r.transcript());
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r.transcript());
    }

    @Test
    void usageErrors() {
        assertEquals(Main.EXIT_USAGE, run().status());
        Cli both = run("--kernel", "a", "--multiboot", "b");
        assertEquals(Main.EXIT_USAGE, both.status(), both.transcript());
        assertTrue(both.err().contains("exactly one of --kernel and --multiboot"), both.transcript());
        assertEquals(Main.EXIT_USAGE, run("--multiboot", "a", "--initrd", "b").status());
    }

    @Test
    void autoRefusesAHostWithoutHardwareVirtualizationWhenThereIsNoJavaBackend() throws Exception {
        if (HostCpu.hardwareVirtualization()) Backends.skip("this host has VT-x/SVM: auto picks /dev/kvm here");
        if (Backends.names().contains("java")) Backends.skip("the java backend is installed: auto picks it");
        Cli r = run("--multiboot", dir.resolve("x").toString());
        assertFails(r, "--backend auto: no backend can run a guest at usable speed here");
    }

    @Test
    void demoFailsFastWithAReasonWhereLinuxCannotBoot() {
        if (HostCpu.hardwareVirtualization() || Backends.names().contains("java"))
            Backends.skip("this host may boot Linux: the demo would really run");
        long t0 = System.nanoTime();
        Cli r = Cli.run("demo", "--guest-dir", dir.toString());
        assertEquals(1, r.status(), r.transcript());
        assertTrue(r.err().contains("usable speed"), r.transcript());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "fails fast");
        Cli linux = Cli.run("demo", "--backend", "linux", "--guest-dir", dir.toString());
        if (linux.err().contains("unavailable")) return;
        assertEquals(1, linux.status(), linux.transcript());
        assertTrue(linux.err().contains("cannot boot Linux here at usable speed"), linux.transcript());
    }
}
