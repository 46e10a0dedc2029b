package io.jkvm.vmm.profile;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.testkit.TestVm;
import io.jkvm.vmm.boot.BootException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guest profiler's symbol lookup and its samples of a java-backend vCPU spinning in a known loop. */
class GuestProfilerTest {

    @Test
    void symbolMapResolvesToTheContainingFunction(@TempDir Path dir) throws Exception {
        Path map = Files.writeString(dir.resolve("System.map"), """
                ffffffff81000000 T _text
                ffffffff81000100 t helper
                ffffffff81000200 D some_data
                ffffffff81000300 W weak_fn
                0000000000000000 A absolute
                """);
        SymbolMap m = SymbolMap.load(map);
        assertEquals(3, m.size(), "text symbols only");
        assertNull(m.lookup(0xffffffff80ffffffL));
        assertEquals("_text", m.lookup(0xffffffff81000000L));
        assertEquals("_text", m.lookup(0xffffffff810000ffL));
        assertEquals("helper", m.lookup(0xffffffff81000100L));
        assertEquals("helper", m.lookup(0xffffffff810002ffL), "data symbols do not end a function");
        assertEquals("weak_fn", m.lookup(0xffffffff81000400L));
    }

    @Test
    void aFileWithoutSymbolsIsRefusedByName(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("notes.txt"), "hello\nworld\n");
        BootException e = assertThrows(BootException.class, () -> SymbolMap.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        BootException missing = assertThrows(BootException.class, () -> SymbolMap.load(dir.resolve("absent")));
        assertTrue(missing.getMessage().contains("absent"), missing.getMessage());
    }

    /** A guest that spins between 0x1000 and the jmp: every sample lands in the loop, all at CPL0. */
    @Test
    void samplesLandInTheSpinningLoop(@TempDir Path dir) throws Exception {
        try (TestVm t = TestVm.create("java"); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                    1:  inc %rax
                        jmp 1b
                    """);
            t.longMode(cpu, TestVm.CODE);
            Thread stopper = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                cpu.kick();
            });
            StringWriter out = new StringWriter();
            try (GuestProfiler p = new GuestProfiler(List.of(cpu)).start()) {
                assertTrue(p.active());
                assertInstanceOf(VcpuExit.Intr.class, cpu.run());
                stopper.join();
                p.close();
                Path map = Files.writeString(dir.resolve("System.map"), "0000000000001000 T spin\n0000000000002000 T after\n");
                p.report(new PrintWriter(out), SymbolMap.load(map), 5);
            }
            String report = out.toString();
            assertTrue(report.contains("0.0% at CPL3"), report);
            assertTrue(report.lines().anyMatch(l -> l.matches("\\s*\\d+ 100\\.0%  spin")), report);
        }
    }
}
