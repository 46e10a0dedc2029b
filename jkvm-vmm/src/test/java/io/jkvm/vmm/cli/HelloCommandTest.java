package io.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Kvm;
import io.jkvm.vmm.guest.HelloGuest;
import io.jkvm.vmm.guest.RealModeMachine;
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

    @Test
    void aGuestThatWritesElsewhereIsAFailureNamingTheExit() {
        Skip.unlessBackend("linux");
        byte[] outToPort10 = {(byte) 0xe6, 0x10, (byte) 0xf4};  // out %al, $0x10; hlt
        try (Kvm kvm = Kvm.open("linux"); RealModeMachine m = RealModeMachine.create(kvm, outToPort10)) {
            CliFailure f = assertThrows(CliFailure.class, () -> HelloCommand.runToHalt(m.vcpu()));
            assertTrue(f.getMessage().contains("KVM_EXIT_IO (OUT to port 0x10, size 1, count 1)"), f.getMessage());
            assertTrue(f.getMessage().contains("rip=0x1002"), f.getMessage());
        }
    }

    @Test
    void aGuestThatNeverHaltsIsAFailureNotAHang() {
        Skip.unlessBackend("linux");
        byte[] printForever = {(byte) 0xe6, (byte) 0xe9, (byte) 0xeb, (byte) 0xfc};  // out %al, $0xe9; jmp back
        try (Kvm kvm = Kvm.open("linux"); RealModeMachine m = RealModeMachine.create(kvm, printForever)) {
            CliFailure f = assertThrows(CliFailure.class, () -> HelloCommand.runToHalt(m.vcpu()));
            assertTrue(f.getMessage().contains("did not halt"), f.getMessage());
        }
    }
}
