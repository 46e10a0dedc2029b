package io.jkvm.vmm.guest;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.testkit.Backends;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The built-in guests on /dev/kvm, exit by exit. */
class RealModeMachineTest {

    @Test
    void helloGuestWritesItsGreetingToPortE9ThenHalts() {
        Backends.assumeAvailable("linux");
        try (Kvm kvm = Kvm.open("linux"); RealModeMachine m = RealModeMachine.create(kvm, HelloGuest.image())) {
            Vcpu cpu = m.vcpu();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            VcpuExit exit;
            while ((exit = cpu.run()) instanceof VcpuExit.Io io) {
                assertTrue(io.isOut(), "only OUTs");
                assertEquals(HelloGuest.PORT, io.port());
                assertEquals(1, io.size());
                out.writeBytes(io.data().toArray(ValueLayout.JAVA_BYTE));
                assertTrue(out.size() <= HelloGuest.GREETING.length(), "no more bytes than the greeting");
            }
            assertInstanceOf(VcpuExit.Hlt.class, exit);
            assertEquals(HelloGuest.GREETING, out.toString());
            assertEquals(RealModeMachine.CODE_GPA + HelloGuest.HLT_OFFSET + 1, cpu.getRegs().rip(), "RIP past the HLT");
        }
    }

    @Test
    void outLoopGuestExitsOnEveryRunWithOneByteToPort0x10() {
        Backends.assumeAvailable("linux");
        try (Kvm kvm = Kvm.open("linux"); RealModeMachine m = RealModeMachine.create(kvm, OutLoopGuest.image())) {
            for (int i = 0; i < 100; i++) {
                VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, m.vcpu().run());
                assertTrue(io.isOut());
                assertEquals(OutLoopGuest.PORT, io.port());
                assertEquals(1, io.count());
            }
            assertEquals(RealModeMachine.CODE_GPA + 2, m.vcpu().getRegs().rip(), "RIP after the OUT");
        }
    }

    @Test
    void rejectsCodeThatDoesNotFit() {
        Backends.assumeAvailable("linux");
        try (Kvm kvm = Kvm.open("linux")) {
            byte[] tooBig = new byte[(int) (RealModeMachine.RAM_SIZE - RealModeMachine.CODE_GPA) + 1];
            assertThrows(IllegalArgumentException.class, () -> RealModeMachine.create(kvm, tooBig));
        }
    }
}
