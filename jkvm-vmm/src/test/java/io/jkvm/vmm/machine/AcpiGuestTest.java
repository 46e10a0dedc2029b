package io.jkvm.vmm.machine;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.testkit.Backends;
import io.jkvm.vmm.Builder;
import io.jkvm.vmm.ConsoleIo;
import io.jkvm.vmm.Machine;
import io.jkvm.vmm.MachineConfig;
import io.jkvm.vmm.MachineExit;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.boot.SyntheticBzImage;
import io.jkvm.vmm.boot.ZeroPage;
import io.jkvm.vmm.devices.legacy.AcpiPm;
import io.jkvm.vmm.devices.legacy.PvPanic;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ACPI as a guest meets it, on every backend: a multiboot guest finds the RSDP the way an OS without boot
 * parameters does (a scan of 0xe0000–0xfffff on 16-byte boundaries), follows it to the XSDT and the FADT,
 * and powers the machine off through the sleep control register the FADT names; the reset register;
 * a machine built with {@code acpi} off has neither tables nor ports; and what a Linux kernel is told.
 */
class AcpiGuestTest {
    @TempDir
    Path dir;

    static java.util.stream.Stream<String> backends() {
        return Backends.all();
    }

    static final long MEM = 32 << 20;

    /** Finds the RSDP (stored at RESULT) and the FADT (RESULT+4); exits 3 or 4 when either is missing. */
    static final String FIND_FADT = """
                mov $0xe0000, %esi
            1:  cmpl $0x20445352, (%esi)        /* "RSD " */
                jne 2f
                cmpl $0x20525450, 4(%esi)       /* "PTR " */
                je rsdp
            2:  add $16, %esi
                cmp $0x100000, %esi
                jb 1b
                exit 3
            rsdp:
                mov %esi, RESULT
                mov 24(%esi), %ebx              /* XsdtAddress (the tables are below 4 GiB) */
                mov 4(%ebx), %ecx               /* XSDT length */
                add %ebx, %ecx
                lea 36(%ebx), %edi              /* the entries follow the 36-byte header */
            3:  cmp %ecx, %edi
                jae nofadt
                mov (%edi), %eax
                cmpl $0x50434146, (%eax)        /* "FACP" */
                je fadt
                add $8, %edi
                jmp 3b
            nofadt:
                exit 4
            fadt:
                mov %eax, RESULT+4
            """;

    MachineRun run(String backend, boolean acpi, String name, String body) throws Exception {
        Backends.assumeAvailable(backend);
        MachineConfig c = MachineConfig.multiboot(backend, MEM, Guests.image(dir, name, body), "").withAcpi(acpi);
        return MachineRun.run(c, null);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sleepControlRegisterFromTheFadtPowersOff(String backend) throws Exception {
        try (MachineRun r = run(backend, true, "acpi-s5", FIND_FADT + """
                    mov 248(%eax), %edx             /* SLEEP_CONTROL_REG: GAS at 244, its Address at +4 */
                    mov $(5 << 2 | 1 << 5), %al     /* SLP_TYP = 5 (\\_S5), SLP_EN */
                    out %al, %dx
                    exit 5                          /* only reached if the write did nothing */
                """)) {
            assertEquals(new MachineExit.PowerOff("ACPI S5"), r.exit(), r.toString());
            assertEquals(0, r.exit().status(), "a clean poweroff: jkvm run exits 0");
            assertEquals(0xe0000, r.u32(Guests.RESULT), "the scan finds the RSDP at the start of the BIOS area");
            assertEquals(AcpiPm.SLEEP_CONTROL_REG, r.u32((r.u32(Guests.RESULT + 4) & 0xffffffffL) + 248));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void resetRegisterResets(String backend) throws Exception {
        try (MachineRun r = run(backend, true, "acpi-reset", FIND_FADT + """
                    mov 120(%eax), %edx             /* RESET_REG: GAS at 116, its Address at +4 */
                    mov 128(%eax), %al              /* RESET_VALUE */
                    out %al, %dx
                    exit 5
                """)) {
            assertEquals(new MachineExit.Reset("ACPI reset register"), r.exit(), r.toString());
        }
    }

    /** pvpanic as Linux's driver uses it: read the supported events, report PVPANIC_PANICKED. */
    @ParameterizedTest
    @MethodSource("backends")
    void pvpanicReportsAGuestPanic(String backend) throws Exception {
        try (MachineRun r = run(backend, true, "pvpanic", """
                    mov $0x505, %dx
                    in %dx, %al
                    movzbl %al, %eax
                    mov %eax, RESULT
                    mov $1, %al                     /* PVPANIC_PANICKED */
                    out %al, %dx
                    exit 5
                """)) {
            assertEquals(new MachineExit.GuestPanic(1), r.exit(), r.toString());
            assertEquals(1, r.exit().status(), "a panic ends jkvm run with status 1, as QEMU's panic=exit-failure");
            assertEquals(PvPanic.PVPANIC_PANICKED | PvPanic.PVPANIC_CRASH_LOADED, r.u32(Guests.RESULT), "supported events");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void withoutAcpiNoTablesAndNoPowerPorts(String backend) throws Exception {
        try (MachineRun r = run(backend, false, "no-acpi", """
                    mov $(5 << 2 | 1 << 5), %al
                    mov $0x600, %dx
                    out %al, %dx                    /* nobody answers: the write is dropped */
                """ + FIND_FADT + """
                    exit 6
                """)) {
            assertEquals(new MachineExit.DebugExit(3 << 1 | 1), r.exit(), "no RSDP anywhere in 0xe0000-0xfffff: " + r);
        }
    }

    /** Builds (without running) a machine booting a synthetic bzImage with a virtio-rng, and reads what the kernel would get. */
    @ParameterizedTest
    @MethodSource("backends")
    void linuxGetsTheRsdpOrTheCmdlineAnnouncementNeverBoth(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        Path k = Files.write(dir.resolve("bzImage"), new SyntheticBzImage().bytes());
        var kernel = new MachineConfig.Kernel(MachineConfig.KernelKind.BZIMAGE, k, null, List.of());
        MachineConfig c = new MachineConfig(backend, MEM, 2, kernel, "console=ttyS0", List.of(), true, false, true);
        try (Machine m = Builder.build(c, new ConsoleIo(new ByteArrayOutputStream(), null))) {
            assertEquals("console=ttyS0", m.memory().cString(Layout.CMDLINE, 4096), "the DSDT announces the virtio-rng");
            assertEquals(0xe0000, m.memory().u64(Layout.ZERO_PAGE + ZeroPage.OFF_ACPI_RSDP_ADDR));
            assertEquals("RSD PTR ", new String(m.memory().read(0xe0000, 8)));
            assertEquals("_MP_", new String(m.memory().read(Layout.MPTABLE, 4)), "the MP table stays, for kernels without ACPI");
            assertNotNull(m.pio().find(AcpiPm.SLEEP_CONTROL_REG));
            assertNotNull(m.devices().acpiPm());
        }
        try (Machine m = Builder.build(c.withAcpi(false), new ConsoleIo(new ByteArrayOutputStream(), null))) {
            assertEquals("console=ttyS0 virtio_mmio.device=512@0xe0000000:5", m.memory().cString(Layout.CMDLINE, 4096));
            assertEquals(0, m.memory().u64(Layout.ZERO_PAGE + ZeroPage.OFF_ACPI_RSDP_ADDR));
            assertArrayEquals(new byte[36], m.memory().read(0xe0000, 36), "no RSDP");
            assertEquals("_MP_", new String(m.memory().read(Layout.MPTABLE, 4)));
            assertNull(m.pio().find(AcpiPm.SLEEP_CONTROL_REG));
            assertNull(m.devices().acpiPm());
        }
    }
}
