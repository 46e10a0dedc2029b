package io.jkvm.vmm.machine;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.testkit.Backends;
import io.jkvm.vmm.MachineConfig;
import io.jkvm.vmm.MachineExit;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Multiboot guests that exercise each device, run through the real machine assembly on every backend. */
class DeviceGuestTest {
    @TempDir
    Path dir;

    static java.util.stream.Stream<String> backends() {
        return Backends.all();
    }

    MachineRun run(String backend, String name, String body) throws Exception {
        Backends.assumeAvailable(backend);
        Path img = Guests.image(dir, name, body);
        return MachineRun.run(MachineConfig.multiboot(backend, 64 << 20, img, "jkvm-test"), null);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void uartOutputAndDebugExitStatus(String backend) throws Exception {
        try (MachineRun r = run(backend, "uart-out", """
                    mov $msg, %esi
                    call puts
                    exit 0x2a
                msg: .asciz "Hello from COM1\\n"
                """)) {
            assertEquals(new MachineExit.DebugExit(0x55), r.exit(), r.toString());
            assertEquals("Hello from COM1\n", r.console());
        }
    }
}
