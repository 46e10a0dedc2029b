package io.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input ends in one clear message on stderr and a non-zero status, never a stack trace. */
class UsageErrorTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"info --backend nosuch", "hello --backend nosuch",
            "bench exit-latency --backend nosuch --iterations 1 --rounds 1 --warmup 0"})
    void unknownBackendIsNamedWithTheInstalledOnes(String commandLine) {
        if (commandLine.startsWith("bench")) Skip.unlessGcc();  // the benchmark checks for its compiler first
        Cli r = Cli.run(commandLine.split(" "));
        assertEquals(Main.EXIT_FAILURE, r.status(), r.transcript());
        assertTrue(r.err().contains("no backend named 'nosuch'"), r.transcript());
        assertTrue(r.err().contains("installed: ["), r.transcript());
        assertTrue(r.err().contains("ENODEV"), r.transcript());
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r.transcript());
        assertEquals("", r.out(), r.transcript());
    }

    @Test
    void missingSubcommandIsAUsageError() {
        Cli r = Cli.run();
        assertEquals(Main.EXIT_USAGE, r.status(), r.transcript());
        assertTrue(r.err().contains("missing subcommand"), r.transcript());
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        Cli r = Cli.run("frobnicate");
        assertEquals(Main.EXIT_USAGE, r.status(), r.transcript());
        assertTrue(r.err().contains("frobnicate"), r.transcript());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cli r = Cli.run("info", "--colour");
        assertEquals(Main.EXIT_USAGE, r.status(), r.transcript());
        assertTrue(r.err().contains("--colour"), r.transcript());
    }

    @Test
    void benchWithoutABenchmarkListsThem() {
        Cli r = Cli.run("bench");
        assertEquals(Main.EXIT_USAGE, r.status(), r.transcript());
        assertTrue(r.err().contains("exit-latency"), r.transcript());
    }

    @Test
    void helpIsOnStdoutWithStatusZero() {
        Cli r = Cli.run("--help");
        assertEquals(0, r.status(), r.transcript());
        for (String sub : new String[] {"info", "hello", "bench"}) assertTrue(r.out().contains(sub), r.transcript());
    }
}
