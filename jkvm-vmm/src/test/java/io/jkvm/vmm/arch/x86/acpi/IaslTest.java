package io.jkvm.vmm.arch.x86.acpi;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.testkit.Backends;
import io.jkvm.vmm.vstate.GuestMemory;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second opinion from ACPICA's own disassembler, {@code iasl -d} (Debian package acpica-tools): the
 * DSDT's AML must decode to the ASL that {@link Dsdt} documents, and the FADT and MADT fields must decode
 * to what jkvm means. Skipped, loudly, where iasl is not installed.
 */
class IaslTest {
    @TempDir
    Path dir;

    final GuestMemory mem = new GuestMemory(List.of(new GuestMemory.Region(0, 0, MemorySegment.ofArray(new byte[1 << 20]))));

    /** Disassembles the table at {@code gpa} and returns iasl's .dsl output. */
    String disassemble(String name, long gpa) throws IOException, InterruptedException {
        Path dat = Files.write(dir.resolve(name + ".dat"), mem.read(gpa, mem.u32(gpa + 4)));
        Process p;
        try {
            p = new ProcessBuilder("iasl", "-d", dat.toString()).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Backends.skip("iasl not installed (apt-get install acpica-tools): the ACPICA disassembly check of the tables did not run");
            throw e;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        assertFalse(log.toLowerCase().contains("error") || log.toLowerCase().contains("warning"), log);
        return Files.readString(dir.resolve(name + ".dsl"));
    }

    static String squash(String s) {
        return s.replaceAll("//[^\n]*", "").replaceAll("/\\*.*?\\*/", "").replaceAll("\\s+", " ");
    }

    @Test
    void dsdtDisassemblesToTheDocumentedAsl() throws Exception {
        Acpi.Tables t = Acpi.write(mem, 2, List.of(new Dsdt.VirtioMmio(0xe000_0000L, 0x200, 5), new Dsdt.VirtioMmio(0xe000_1000L, 0x200, 6)));
        String asl = squash(disassemble("dsdt", t.dsdt()));
        assertTrue(asl.contains(squash("DefinitionBlock (\"\", \"DSDT\", 2, \"JKVM  \", \"JKVMDSDT\", 0x00000001)")), asl);
        assertTrue(asl.contains("Scope (\\_SB) { Device (COM1) { Name (_HID, EisaId (\"PNP0501\") ) Name (_UID, One) "
                + "Name (_CRS, ResourceTemplate () { IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08, ) IRQNoFlags () {4} }) }"), asl);
        assertTrue(asl.contains("Device (RTC) { Name (_HID, EisaId (\"PNP0B00\") ) Name (_UID, Zero) "
                + "Name (_CRS, ResourceTemplate () { IO (Decode16, 0x0070, 0x0070, 0x01, 0x02, ) IRQNoFlags () {8} }) }"), asl);
        assertTrue(asl.contains("Device (KBD) { Name (_HID, EisaId (\"PNP0303\") ) Name (_UID, Zero) "
                + "Name (_CRS, ResourceTemplate () { IO (Decode16, 0x0060, 0x0060, 0x01, 0x01, ) "
                + "IO (Decode16, 0x0064, 0x0064, 0x01, 0x01, ) IRQNoFlags () {1} }) }"), asl);
        assertTrue(asl.contains("Device (VR01) { Name (_HID, \"LNRO0005\") Name (_UID, One) Name (_CRS, ResourceTemplate () "
                + "{ Memory32Fixed (ReadWrite, 0xE0001000, 0x00000200, ) "
                + "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 0x00000006, } }) }"), asl);
        assertTrue(asl.contains("Name (\\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })"), asl);
    }

    @Test
    void fadtAndMadtDecodeAsIntended() throws Exception {
        Acpi.Tables t = Acpi.write(mem, 3, List.of());
        String fadt = squash(disassemble("facp", t.fadt()));
        for (String field : List.of("Revision : 06", "Hardware Reduced (V5) : 1", "Reset Register Supported (V2) : 1",
                "8042 Present on ports 60/64 (V2) : 1", "FADT Minor Revision : 05",
                String.format("DSDT Address : %016X", t.dsdt()), "Value to cause reset : 01"))
            assertTrue(fadt.contains(field), field + " in\n" + fadt);
        assertTrue(fadt.contains("Sleep Control Register : [Generic Address Structure] [0F4h 0244 1] Space ID : 01 [SystemIO] "
                + "[0F5h 0245 1] Bit Width : 08 [0F6h 0246 1] Bit Offset : 00 [0F7h 0247 1] Encoded Access Width : 01 [Byte Access:8] "
                + "[0F8h 0248 8] Address : 0000000000000600"), fadt);
        String madt = squash(disassemble("apic", t.madt()));
        assertEquals(3, madt.split("\\[Processor Local APIC\\]", -1).length - 1, madt);
        assertTrue(madt.contains("I/O Apic ID : 03"), madt);
        assertTrue(madt.contains("PC-AT Compatibility : 1"), madt);
    }
}
