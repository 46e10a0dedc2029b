package io.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.vmm.guest.HelloGuest;
import org.junit.jupiter.api.Test;

/** {@code jkvm hello}: the guest's greeting on stdout, status 0, nothing on stderr. */
class HelloCommandTest {

    @Test
    void printsTheGuestsGreetingAndExitsZero() {
        Skip.unlessBackend("linux");
        Cli r = Cli.run("hello", "--backend", "linux");
        assertEquals(0, r.status(), r.transcript());
        assertEquals("Hello from a jkvm guest!\n", r.out(), r.transcript());
        assertEquals(HelloGuest.GREETING, r.out());
        assertEquals("", r.err(), r.transcript());
    }

    @Test
    void autoPicksARunnableBackend() {
        Skip.unlessBackend("linux");  // auto means linux where /dev/kvm works
        Cli r = Cli.run("hello");
        assertEquals(0, r.status(), r.transcript());
        assertEquals(HelloGuest.GREETING, r.out(), r.transcript());
    }
}
