package io.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code jkvm bench exit-latency}, as a functional test with a few hundred exits: both sides run, and the
 * last line is the ratio. No timing is asserted (this machine is shared; the numbers are for humans).
 */
class ExitLatencyCommandTest {

    @Test
    void printsBothSidesAndTheRatioLast() {
        Skip.unlessBackend("linux");
        Skip.unlessGcc();
        Cli r = Cli.run("bench", "exit-latency", "--iterations", "300", "--rounds", "3", "--warmup", "200");
        assertEquals(0, r.status(), r.transcript());
        List<String> lines = r.lines();
        assertTrue(lines.getLast().matches("ratio java/c: \\d+\\.\\d\\d"), r.transcript());
        assertEquals(3, lines.stream().filter(l -> l.startsWith("round ")).count(), r.transcript());
        assertTrue(lines.stream().anyMatch(l -> l.matches("java \\(jkvm, linux backend\\)\\s+median \\d+\\.\\d ns/exit.*")),
                r.transcript());
        assertTrue(lines.stream().anyMatch(l -> l.matches("c\\s+\\(ioctl on /dev/kvm\\)\\s+median \\d+\\.\\d ns/exit.*")),
                r.transcript());
        double ratio = Double.parseDouble(lines.getLast().substring("ratio java/c: ".length()));
        assertTrue(ratio > 0 && Double.isFinite(ratio), r.transcript());
    }

    @Test
    void withoutACCompilerItSaysSoAndFails() {
        Cli r = Cli.run("bench", "exit-latency", "--cc", "/nonexistent/jkvm-test-gcc", "--iterations", "1");
        assertEquals(Main.EXIT_FAILURE, r.status(), r.transcript());
        assertTrue(r.err().contains("C compiler '/nonexistent/jkvm-test-gcc' not found"), r.transcript());
        assertFalse(r.out().contains("ratio"), r.transcript());
    }

    @Test
    void nonPositiveIterationsAreAUsageError() {
        Cli r = Cli.run("bench", "exit-latency", "--iterations", "0");
        assertEquals(Main.EXIT_USAGE, r.status(), r.transcript());
        assertTrue(r.err().contains("--iterations must be at least 1"), r.transcript());
    }
}
