package io.jkvm.vmm.devices.legacy;

/**
 * The registers of a 16550A UART, 1:1 with the datasheet (names from Linux's {@code serial_reg.h}), plus the
 * receive FIFO and the THR-empty interrupt latch. No host handles: where output goes is wiring, not state.
 *
 * @param dll divisor latch low (DLAB=1, offset 0)
 * @param dlm divisor latch high (DLAB=1, offset 1)
 * @param ier interrupt enable register
 * @param fcr last value written to the FIFO control register (only UART_FCR_ENABLE_FIFO is kept)
 * @param lcr line control register (bit 7 = DLAB)
 * @param mcr modem control register
 * @param lsr the sticky bits of the line status register (UART_LSR_OE); DR/THRE/TEMT are derived
 * @param msr modem status register outside loopback
 * @param scr scratch register
 * @param thriPending the "transmitter holding register empty" interrupt is latched (cleared by reading IIR)
 * @param rxFifo received bytes not yet read by the guest, oldest first
 */
public record Uart16550aState(int dll, int dlm, int ier, int fcr, int lcr, int mcr, int lsr, int msr, int scr,
                              boolean thriPending, byte[] rxFifo) {
    public Uart16550aState {
        rxFifo = rxFifo.clone();
    }

    @Override
    public byte[] rxFifo() {
        return rxFifo.clone();
    }

    /** Power-on state: 115200 baud 8N1 divisor, carrier/DSR/CTS asserted (a virtual line is always connected). */
    public static Uart16550aState initial() {
        return new Uart16550aState(0x01, 0x00, 0, 0, 0x03, 0x08, 0, Uart16550a.DEFAULT_MSR, 0, false, new byte[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Uart16550aState s && dll == s.dll && dlm == s.dlm && ier == s.ier && fcr == s.fcr
                && lcr == s.lcr && mcr == s.mcr && lsr == s.lsr && msr == s.msr && scr == s.scr
                && thriPending == s.thriPending && java.util.Arrays.equals(rxFifo, s.rxFifo);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(dll, dlm, ier, fcr, lcr, mcr, lsr, msr, scr, thriPending)
                + 31 * java.util.Arrays.hashCode(rxFifo);
    }
}
