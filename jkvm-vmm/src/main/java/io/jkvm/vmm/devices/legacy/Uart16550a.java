package io.jkvm.vmm.devices.legacy;

import io.jkvm.vmm.vstate.BusDevice;
import io.jkvm.vmm.vstate.IrqLine;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;

/**
 * A 16550A UART (National Semiconductor PC16550D datasheet; register names from Linux's
 * {@code include/uapi/linux/serial_reg.h}), 8 I/O ports at COM1 = 0x3f8, IRQ 4. A pure model in the style of
 * rust-vmm's vm-superio: transmitted bytes go to an {@link OutputStream}; received bytes come in through
 * {@link #enqueue(byte)}; the interrupt goes out through an {@link IrqLine} held high while IIR shows one.
 *
 * <p>Transmission is instantaneous (a virtual wire), so THRE and TEMT are always set and a THR write latches
 * the THR-empty interrupt at once. Loopback (MCR bit 4) is implemented because Linux's 8250 driver uses it
 * to detect the chip: it writes MCR = LOOP|OUT2|RTS and expects MSR's top nibble to read 0x90.
 */
public final class Uart16550a implements BusDevice {
    public static final int COM1_BASE = 0x3f8, COM1_IRQ = 4, PORT_COUNT = 8;
    /** The 16550A's receive FIFO depth. */
    public static final int FIFO_SIZE = 16;

    // register offsets (DLAB-dependent ones listed with both meanings)
    public static final int UART_RX = 0, UART_TX = 0, UART_DLL = 0, UART_IER = 1, UART_DLM = 1, UART_IIR = 2,
            UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7;
    public static final int UART_IER_RDI = 0x01, UART_IER_THRI = 0x02, UART_IER_RLSI = 0x04, UART_IER_MSI = 0x08;
    public static final int UART_IIR_NO_INT = 0x01, UART_IIR_MSI = 0x00, UART_IIR_THRI = 0x02, UART_IIR_RDI = 0x04,
            UART_IIR_RLSI = 0x06, UART_IIR_FIFO_ENABLED = 0xc0;
    public static final int UART_FCR_ENABLE_FIFO = 0x01, UART_FCR_CLEAR_RCVR = 0x02;
    public static final int UART_LCR_DLAB = 0x80;
    public static final int UART_MCR_DTR = 0x01, UART_MCR_RTS = 0x02, UART_MCR_OUT1 = 0x04, UART_MCR_OUT2 = 0x08,
            UART_MCR_LOOP = 0x10;
    public static final int UART_LSR_DR = 0x01, UART_LSR_OE = 0x02, UART_LSR_THRE = 0x20, UART_LSR_TEMT = 0x40;
    public static final int UART_MSR_DCTS = 0x01, UART_MSR_DDSR = 0x02, UART_MSR_TERI = 0x04, UART_MSR_DDCD = 0x08,
            UART_MSR_CTS = 0x10, UART_MSR_DSR = 0x20, UART_MSR_RI = 0x40, UART_MSR_DCD = 0x80;
    /** A virtual line is always connected: carrier detect, data set ready and clear to send. */
    static final int DEFAULT_MSR = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;

    private final OutputStream out;
    private final IrqLine irq;
    private int dll, dlm, ier, fcr, lcr, mcr, lsr, msr, scr;
    private boolean thriPending;
    private final ArrayDeque<Byte> rx = new ArrayDeque<>(FIFO_SIZE);
    private boolean irqLevel;

    private Uart16550a(Uart16550aState s, OutputStream out, IrqLine irq) {
        this.out = out;
        this.irq = irq;
        dll = s.dll(); dlm = s.dlm(); ier = s.ier(); fcr = s.fcr(); lcr = s.lcr(); mcr = s.mcr(); lsr = s.lsr();
        msr = s.msr(); scr = s.scr(); thriPending = s.thriPending();
        for (byte b : s.rxFifo()) rx.add(b);
        updateIrq();
    }

    /** A UART in {@code state}, writing to {@code out}, interrupting through {@code irq}. */
    public static Uart16550a fromState(Uart16550aState state, OutputStream out, IrqLine irq) {
        return new Uart16550a(state, out, irq);
    }

    public static Uart16550a create(OutputStream out, IrqLine irq) {
        return fromState(Uart16550aState.initial(), out, irq);
    }

    public Uart16550aState state() {
        byte[] fifo = new byte[rx.size()];
        int i = 0;
        for (byte b : rx) fifo[i++] = b;
        return new Uart16550aState(dll, dlm, ier, fcr, lcr, mcr, lsr, msr, scr, thriPending, fifo);
    }

    /** Room left in the receive FIFO; a console feeding the UART holds input back while this is 0. */
    public synchronized int rxSpace() {
        return FIFO_SIZE - rx.size();
    }

    /** A byte arrives on the line. With the FIFO full it is lost and LSR reports an overrun, as on the chip. */
    public synchronized void enqueue(byte b) {
        receive(b);
        updateIrq();
    }

    private void receive(byte b) {
        if (rx.size() >= FIFO_SIZE) lsr |= UART_LSR_OE;
        else rx.add(b);
    }

    @Override
    public long read(long offset, int size) {
        int v = switch ((int) offset) {
            case UART_RX -> dlab() ? dll : readRx();
            case UART_IER -> dlab() ? dlm : ier;
            case UART_IIR -> readIir();
            case UART_LCR -> lcr;
            case UART_MCR -> mcr;
            case UART_LSR -> readLsr();
            case UART_MSR -> readMsr();
            case UART_SCR -> scr;
            default -> 0xff;
        };
        updateIrq();
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value & 0xff;
        switch ((int) offset) {
            case UART_TX -> {
                if (dlab()) dll = v;
                else transmit(v);
            }
            case UART_IER -> {
                if (dlab()) dlm = v;
                else setIer(v);
            }
            case UART_FCR -> {
                if ((v & UART_FCR_CLEAR_RCVR) != 0) rx.clear();
                fcr = v & UART_FCR_ENABLE_FIFO;
            }
            case UART_LCR -> lcr = v;
            case UART_MCR -> mcr = v & 0x1f;
            case UART_SCR -> scr = v;
            default -> { }  // LSR and MSR are read-only
        }
        updateIrq();
    }

    private boolean dlab() {
        return (lcr & UART_LCR_DLAB) != 0;
    }

    private void transmit(int v) {
        if ((mcr & UART_MCR_LOOP) != 0) {
            receive((byte) v);  // loopback: the transmitter feeds the receiver, nothing leaves the chip
        } else {
            try {
                out.write(v);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("UART output", e);
            }
        }
        thriPending = true;  // the byte left THR at once
    }

    private void setIer(int v) {
        // Enabling THRI while THR is empty raises the interrupt at once (Linux's 8250 driver relies on it).
        if ((v & UART_IER_THRI) != 0 && (ier & UART_IER_THRI) == 0) thriPending = true;
        ier = v & 0x0f;
    }

    private int readRx() {
        Byte b = rx.poll();
        return b == null ? 0 : b & 0xff;
    }

    private int readLsr() {
        int v = lsr | UART_LSR_THRE | UART_LSR_TEMT | (rx.isEmpty() ? 0 : UART_LSR_DR);
        lsr &= ~UART_LSR_OE;  // the error bits clear on read
        return v;
    }

    private int readMsr() {
        if ((mcr & UART_MCR_LOOP) == 0) {
            int v = msr;
            msr &= ~(UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_TERI | UART_MSR_DDCD);
            return v;
        }
        // loopback: RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD
        return ((mcr & UART_MCR_RTS) != 0 ? UART_MSR_CTS : 0) | ((mcr & UART_MCR_DTR) != 0 ? UART_MSR_DSR : 0)
                | ((mcr & UART_MCR_OUT1) != 0 ? UART_MSR_RI : 0) | ((mcr & UART_MCR_OUT2) != 0 ? UART_MSR_DCD : 0);
    }

    private int readIir() {
        int id = pendingInterrupt();
        if (id == UART_IIR_THRI) thriPending = false;  // reading IIR with THRI as the source clears it
        return id | ((fcr & UART_FCR_ENABLE_FIFO) != 0 ? UART_IIR_FIFO_ENABLED : 0);
    }

    /** The highest-priority pending interrupt source, as IIR bits 0–3 show it. */
    private int pendingInterrupt() {
        if ((ier & UART_IER_RLSI) != 0 && (lsr & UART_LSR_OE) != 0) return UART_IIR_RLSI;
        if ((ier & UART_IER_RDI) != 0 && !rx.isEmpty()) return UART_IIR_RDI;
        if ((ier & UART_IER_THRI) != 0 && thriPending) return UART_IIR_THRI;
        if ((ier & UART_IER_MSI) != 0 && (msr & 0x0f) != 0 && (mcr & UART_MCR_LOOP) == 0) return UART_IIR_MSI;
        return UART_IIR_NO_INT;
    }

    private void updateIrq() {
        boolean level = pendingInterrupt() != UART_IIR_NO_INT;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }
}
