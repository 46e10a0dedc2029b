package io.jkvm.vmm.machine;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.testkit.Backends;
import io.jkvm.vmm.Builder;
import io.jkvm.vmm.ConsoleIo;
import io.jkvm.vmm.Machine;
import io.jkvm.vmm.MachineConfig;
import io.jkvm.vmm.MachineExit;
import io.jkvm.vmm.snapshot.Snapshot;
import io.jkvm.vmm.snapshot.SnapshotException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Snapshot mid-run → restore → the guest's output continues exactly as an uninterrupted run's. */
class SnapshotTest {
    @TempDir
    Path dir;

    static java.util.stream.Stream<String> backends() {
        return Backends.all();
    }

    /** Prints 'a'..'t', one per line, with a short busy loop between; the count lives in memory and in EBX. */
    static final String COUNTER = """
            loop:
                mov counter, %ebx
                mov %bl, %al
                add $'a', %al
                mov $COM1, %dx
                out %al, %dx
                mov $'\\n', %al
                out %al, %dx
                mov $20000, %ecx
            1:  loop 1b
                incl counter
                cmpl $20, counter
                jne loop
                exit 0
            counter: .long 0
            """;

    MachineConfig config(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        return MachineConfig.multiboot(backend, 16 << 20, Guests.image(dir, "counter", COUNTER), "");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void restoredRunContinuesExactlyAsTheUninterruptedOne(String backend) throws Exception {
        continuesExactly(config(backend));
    }

    /** The application processor sits in KVM_RUN waiting for INIT/SIPI; pause and snapshot must handle it too. */
    @ParameterizedTest
    @MethodSource("backends")
    void twoVcpusWithTheApWaitingForSipi(String backend) throws Exception {
        MachineConfig one = config(backend);
        continuesExactly(new MachineConfig(backend, one.memSize(), 2, one.kernel(), one.cmdline(), one.disks(), false, false, true));
    }

    void continuesExactly(MachineConfig c) throws Exception {
        Path snap = dir.resolve("snap");
        ByteArrayOutputStream outA = new ByteArrayOutputStream();
        String prefix, full;
        try (Machine a = Builder.build(c, new ConsoleIo(outA, null))) {
            a.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (outA.size() < 6 && System.nanoTime() < deadline) Thread.sleep(1);
            assertTrue(a.pause(Duration.ofSeconds(10)), "paused before the guest finished: " + a.exit());
            prefix = outA.toString(StandardCharsets.US_ASCII);
            Snapshot.save(a, snap);
            a.resume();
            assertEquals(new MachineExit.DebugExit(1), a.awaitExit(Duration.ofSeconds(60)));
            full = outA.toString(StandardCharsets.US_ASCII);
        }
        assertTrue(prefix.length() >= 6 && prefix.length() < full.length(), "snapshot taken mid-run: " + prefix.length() + " of " + full.length());
        ByteArrayOutputStream outB = new ByteArrayOutputStream();
        try (Machine b = Snapshot.restore(snap, new ConsoleIo(outB, null))) {
            b.start();
            assertEquals(new MachineExit.DebugExit(1), b.awaitExit(Duration.ofSeconds(60)));
        }
        assertEquals(full, prefix + outB.toString(StandardCharsets.US_ASCII));
        assertEquals("abcdefghijklmnopqrst".chars().mapToObj(ch -> (char) ch + "\n").reduce("", String::concat), full);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void corruptOrForeignSnapshotsAreRefusedNamingTheFile(String backend) throws Exception {
        MachineConfig c = config(backend);
        Path snap = dir.resolve("snap");
        try (Machine a = Builder.build(c, new ConsoleIo(new ByteArrayOutputStream(), null))) {
            a.start();
            a.pause(Duration.ofSeconds(10));
            Snapshot.save(a, snap);
        }
        Path state = snap.resolve(Snapshot.STATE_FILE), memory = snap.resolve(Snapshot.MEMORY_FILE);
        byte[] good = Files.readAllBytes(state);

        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 1;
        Files.write(state, flipped);
        assertRefused(snap, state + ": checksum mismatch");

        byte[] version = good.clone();
        version[Snapshot.MAGIC.length + 3] = 9;
        Files.write(state, version);
        assertRefused(snap, "format version 9");

        Files.write(state, "#!/bin/sh\necho not a snapshot\n".getBytes());
        assertRefused(snap, "not a jkvm snapshot");

        Files.write(state, good);
        byte[] mem = Files.readAllBytes(memory);
        mem[0x100000] ^= 0x40;
        Files.write(memory, mem);
        assertRefused(snap, memory + ": checksum mismatch");

        Files.delete(state);
        assertRefused(snap, state + ": no such file");
    }

    static void assertRefused(Path snap, String message) {
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> Snapshot.restore(snap, new ConsoleIo(new ByteArrayOutputStream(), null)).close());
        assertTrue(e.getMessage().contains(message), "expected «" + message + "» in: " + e.getMessage());
    }
}
