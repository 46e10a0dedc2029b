package io.jkvm.java.irq;

import io.jkvm.api.uapi.IoapicState;

/**
 * The in-kernel IOAPIC (82093AA, Linux arch/x86/kvm/ioapic.c): 24 redirection entries, edge and level
 * inputs, remote IRR and EOI, the IOREGSEL/IOWIN window and the version-0x20 EOI register at +0x40.
 * Under the irqchip lock.
 */
final class Ioapic {
    static final long DEFAULT_BASE = 0xfec00000L;
    static final int NUM_PINS = IoapicState.KVM_IOAPIC_NUM_PINS;
    private static final long MASK = 1L << 16, LEVEL = 1L << 15, REMOTE_IRR = 1L << 14, DELIVERY_STATUS = 1L << 12;

    private final IrqChip chip;
    long base = DEFAULT_BASE;
    private int ioregsel, id;
    /** Line levels (bit per pin) as last driven. */
    private int irr;
    private final long[] redir = new long[NUM_PINS];

    Ioapic(IrqChip chip) {
        this.chip = chip;
        for (int i = 0; i < NUM_PINS; i++) redir[i] = MASK;
    }

    void setIrq(int pin, int level) {
        if (pin < 0 || pin >= NUM_PINS) return;
        int bit = 1 << pin;
        boolean old = (irr & bit) != 0;
        if (level != 0) irr |= bit;
        else irr &= ~bit;
        long e = redir[pin];
        if ((e & LEVEL) == 0) {
            if (level != 0 && !old) service(pin);
        } else if (level != 0) {
            service(pin);
        }
    }

    /** Delivers pin's message unless masked or (level) still awaiting EOI. */
    private void service(int pin) {
        long e = redir[pin];
        if ((e & MASK) != 0) return;
        boolean level = (e & LEVEL) != 0;
        if (level && (e & REMOTE_IRR) != 0) return;
        if (level) redir[pin] = e | REMOTE_IRR;
        int vector = (int) (e & 0xff), mode = (int) (e >> 8) & 7;
        boolean logical = (e & (1L << 11)) != 0;
        long dest = (e >>> 56) & 0xff;
        chip.deliver(vector, mode, level, dest, logical);
    }

    /** A level-triggered vector was EOI'd by a LAPIC: clear remote IRR and re-deliver a still-high line. */
    void eoi(int vector) {
        for (int pin = 0; pin < NUM_PINS; pin++) {
            long e = redir[pin];
            if ((e & 0xff) != vector || (e & LEVEL) == 0 || (e & REMOTE_IRR) == 0) continue;
            redir[pin] = e & ~REMOTE_IRR;
            if ((irr & (1 << pin)) != 0) service(pin);
        }
    }

    int read(long off) {
        return switch ((int) off) {
            case 0x00 -> ioregsel;
            case 0x10 -> readIndirect();
            default -> 0;
        };
    }

    void write(long off, int v) {
        switch ((int) off) {
            case 0x00 -> ioregsel = v & 0xff;
            case 0x10 -> writeIndirect(v);
            case 0x40 -> eoi(v & 0xff);
            default -> { }
        }
    }

    private int readIndirect() {
        return switch (ioregsel) {
            case 0x00 -> id << 24;
            case 0x01 -> ((NUM_PINS - 1) << 16) | 0x20;         // max redirection entry, version 0x20
            case 0x02 -> id << 24;                             // arbitration id
            default -> {
                int pin = (ioregsel - 0x10) >> 1;
                if (ioregsel < 0x10 || pin >= NUM_PINS) yield 0;
                long e = redir[pin];
                yield (ioregsel & 1) == 0 ? (int) e : (int) (e >>> 32);
            }
        };
    }

    private void writeIndirect(int v) {
        if (ioregsel == 0x00) {
            id = (v >>> 24) & 0xf;
            return;
        }
        int pin = (ioregsel - 0x10) >> 1;
        if (ioregsel < 0x10 || pin >= NUM_PINS) return;
        long e = redir[pin];
        long keep = REMOTE_IRR | DELIVERY_STATUS;
        if ((ioregsel & 1) == 0) e = (e & 0xffffffff00000000L & ~0L) | (e & keep) | (v & 0xffffffffL & ~keep);
        else e = (e & 0xffffffffL) | ((long) v << 32);
        redir[pin] = e;
        // an unmasked level-triggered line that is high delivers now (a masked-while-high interrupt)
        if ((e & MASK) == 0 && (e & LEVEL) != 0 && (irr & (1 << pin)) != 0) service(pin);
    }

    IoapicState state() {
        return new IoapicState(base, ioregsel, id, irr, 0, redir.clone());
    }

    void setState(IoapicState s) {
        base = s.base_address();
        ioregsel = s.ioregsel();
        id = s.id();
        irr = s.irr();
        long[] t = s.redirtbl();
        System.arraycopy(t, 0, redir, 0, NUM_PINS);
    }
}
