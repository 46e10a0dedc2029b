package io.jkvm.vmm.devices.legacy;

import static io.jkvm.vmm.devices.legacy.Uart16550a.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The 16550A's registers as the datasheet and Linux's 8250 driver use them. */
class Uart16550aTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final List<Boolean> irq = new ArrayList<>();
    final Uart16550a uart = Uart16550a.create(out, irq::add);

    int in(int reg) { return (int) uart.read(reg, 1); }
    void out(int reg, int v) { uart.write(reg, 1, v); }
    boolean line() { return !irq.isEmpty() && irq.getLast(); }

    @Test
    void transmitsWhatIsWrittenToThrAndIsAlwaysReady() {
        out(UART_TX, 'h');
        out(UART_TX, 'i');
        assertEquals("hi", out.toString());
        assertEquals(UART_LSR_THRE | UART_LSR_TEMT, in(UART_LSR));
    }

    @Test
    void dlabSwitchesOffsetsZeroAndOneToTheDivisorLatch() {
        out(UART_LCR, UART_LCR_DLAB | 0x03);
        out(UART_DLL, 0x0c);
        out(UART_DLM, 0x01);
        assertEquals(0x0c, in(UART_DLL));
        assertEquals(0x01, in(UART_DLM));
        assertEquals("", out.toString(), "a divisor write is not a transmitted byte");
        out(UART_LCR, 0x03);
        assertEquals(0, in(UART_IER));
        assertEquals(0x0c, uart.state().dll());
    }

    @Test
    void receivedBytesSetDataReadyAndRaiseRdiWhenEnabled() {
        uart.enqueue((byte) 'x');
        assertEquals(UART_LSR_DR, in(UART_LSR) & UART_LSR_DR);
        assertFalse(line(), "no interrupt while IER is 0");
        assertEquals(UART_IIR_NO_INT, in(UART_IIR));
        out(UART_IER, UART_IER_RDI);
        assertTrue(line());
        assertEquals(UART_IIR_RDI, in(UART_IIR) & 0x0f);
        assertEquals('x', in(UART_RX));
        assertFalse(line(), "reading the last byte drops the line");
        assertEquals(0, in(UART_LSR) & UART_LSR_DR);
    }

    @Test
    void thrEmptyInterruptLatchesOnEnableAndClearsOnIirRead() {
        out(UART_IER, UART_IER_THRI);
        assertTrue(line(), "enabling THRI with THR empty interrupts at once");
        assertEquals(UART_IIR_THRI, in(UART_IIR) & 0x0f);
        assertFalse(line(), "reading IIR clears the THRI source");
        assertEquals(UART_IIR_NO_INT, in(UART_IIR) & 0x0f);
        out(UART_TX, 'a');
        assertTrue(line(), "sending a byte empties THR again");
    }

    @Test
    void rdiHasPriorityOverThri() {
        out(UART_IER, UART_IER_THRI | UART_IER_RDI);
        uart.enqueue((byte) 1);
        assertEquals(UART_IIR_RDI, in(UART_IIR) & 0x0f);
    }

    @Test
    void fifoEnableShowsInIirAndClearDropsInput() {
        out(UART_FCR, UART_FCR_ENABLE_FIFO);
        assertEquals(UART_IIR_FIFO_ENABLED | UART_IIR_NO_INT, in(UART_IIR));
        uart.enqueue((byte) 1);
        out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
        assertEquals(0, in(UART_LSR) & UART_LSR_DR);
    }

    @Test
    void overrunWhenTheFifoIsFull() {
        for (int i = 0; i < FIFO_SIZE; i++) uart.enqueue((byte) i);
        assertEquals(0, uart.rxSpace());
        uart.enqueue((byte) 99);
        int lsr = in(UART_LSR);
        assertEquals(UART_LSR_OE, lsr & UART_LSR_OE);
        assertEquals(0, in(UART_LSR) & UART_LSR_OE, "OE clears when LSR is read");
        for (int i = 0; i < FIFO_SIZE; i++) assertEquals(i, in(UART_RX));
    }

    @Test
    void loopbackAsLinuxProbesIt() {
        // serial8250 autoconfig: MCR = LOOP | OUT2 | RTS, expects MSR & 0xf0 == 0x90
        out(UART_MCR, UART_MCR_LOOP | 0x0a);
        assertEquals(0x90, in(UART_MSR) & 0xf0);
        out(UART_TX, 'z');
        assertEquals("", out.toString(), "loopback keeps bytes inside the chip");
        assertEquals('z', in(UART_RX));
        out(UART_MCR, 0);
        assertEquals(UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS, in(UART_MSR));
    }

    @Test
    void scratchRegisterHoldsAByte() {
        out(UART_SCR, 0xa5);
        assertEquals(0xa5, in(UART_SCR));
    }

    @Test
    void stateRoundTripsIncludingTheFifoAndTheLine() {
        out(UART_IER, UART_IER_RDI);
        uart.enqueue((byte) 7);
        out(UART_SCR, 0x42);
        Uart16550aState s = uart.state();
        List<Boolean> irq2 = new ArrayList<>();
        Uart16550a copy = Uart16550a.fromState(s, new ByteArrayOutputStream(), irq2::add);
        assertEquals(s, copy.state());
        assertEquals(List.of(true), irq2, "a restored pending interrupt raises the new line");
        assertEquals(7, copy.read(UART_RX, 1));
    }
}
