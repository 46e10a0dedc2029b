package io.jkvm.vmm.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The boot benchmark's timer: seconds until the guest's marker, and a clear failure — never a hang — when a
 * boot ends without it or does not print it in time (a stuck peer once held a whole run for ten minutes).
 */
class BootBenchmarkTest {

    private static List<String> sh(String script) {
        return List.of("sh", "-c", script);
    }

    @Test
    void timesTheMarker() throws Exception {
        double s = BootBenchmark.secondsToMarker(sh("sleep 0.2; echo booting; echo " + BootBenchmark.MARKER + "; sleep 30"),
                Duration.ofSeconds(20));
        assertTrue(s >= 0.2 && s < 10, "seconds to the marker: " + s);
    }

    @Test
    void aBootThatEndsWithoutTheMarkerFailsWithItsOutput() {
        IOException e = assertThrows(IOException.class,
                () -> BootBenchmark.secondsToMarker(sh("echo kernel panic here"), Duration.ofSeconds(20)));
        assertTrue(e.getMessage().contains("ended before printing " + BootBenchmark.MARKER), e.getMessage());
        assertTrue(e.getMessage().contains("kernel panic here"), e.getMessage());
    }

    @Test
    void aStuckBootTimesOutAndIsStopped() {
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> BootBenchmark.secondsToMarker(sh("echo stuck; exec sleep 60"), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("no " + BootBenchmark.MARKER + " within 1 s"), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "the stuck process was stopped, not waited for");
    }
}
