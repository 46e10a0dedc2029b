package io.jkvm.vmm.guest;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.testkit.Backends;
import io.jkvm.testkit.Gas;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The hand-encoded built-in guests are exactly what GNU as makes of the assembly in their comments. */
class GuestBytesTest {

    @Test
    void helloGuestMatchesItsAssembly() {
        Backends.assumeAssembler();
        byte[] expected = Gas.assemble("""
                .code16
                    mov $0x100d, %si
                    mov $25, %cx
                    mov $0xe9, %dx
                    cld
                    rep outsb
                    hlt
                msg: .ascii "Hello from a jkvm guest!\\n"
                """, RealModeMachine.CODE_GPA);
        assertHex(expected, HelloGuest.image());
        assertEquals((byte) 0xf4, HelloGuest.image()[HelloGuest.HLT_OFFSET], "HLT_OFFSET");
    }

    @Test
    void helloGuestOperandsFitTheGreeting() {
        byte[] image = HelloGuest.image();
        int msgOffset = HelloGuest.HLT_OFFSET + 1;
        int si = (image[1] & 0xff) | (image[2] & 0xff) << 8;
        int cx = (image[4] & 0xff) | (image[5] & 0xff) << 8;
        int dx = (image[7] & 0xff) | (image[8] & 0xff) << 8;
        assertEquals(RealModeMachine.CODE_GPA + msgOffset, si, "SI points at the greeting");
        assertEquals(HelloGuest.GREETING.length(), cx, "CX is the greeting's length");
        assertEquals(HelloGuest.PORT, dx, "DX is the port");
        assertEquals(HelloGuest.GREETING, new String(Arrays.copyOfRange(image, msgOffset, image.length)));
    }

    @Test
    void outLoopGuestMatchesItsAssembly() {
        Backends.assumeAssembler();
        byte[] expected = Gas.assemble("""
                .code16
                top: out %al, $0x10
                     jmp top
                """, RealModeMachine.CODE_GPA);
        assertHex(expected, OutLoopGuest.image());
    }

    private static void assertHex(byte[] expected, byte[] actual) {
        HexFormat h = HexFormat.ofDelimiter(" ");
        assertEquals(h.formatHex(expected), h.formatHex(actual));
    }
}
