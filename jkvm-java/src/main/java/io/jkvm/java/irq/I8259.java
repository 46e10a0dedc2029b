package io.jkvm.java.irq;

import io.jkvm.api.uapi.PicState;

/**
 * The two cascaded 8259A PICs (master at 0x20/0x21, slave at 0xA0/0xA1, ELCR at 0x4D0/0x4D1; Linux
 * arch/x86/kvm/i8259.c): ICW1–4, OCW1–3, IRR/ISR/IMR, rotation, special mask, auto-EOI, poll mode and
 * edge/level per ELCR. Under the irqchip lock.
 */
final class I8259 {
    /** One 8259A; field names as struct kvm_pic_state. */
    static final class Chip {
        int lastIrr, irr, imr, isr, priorityAdd, irqBase, readRegSelect, poll, specialMask, initState, autoEoi,
                rotateOnAutoEoi, specialFullyNestedMode, init4, elcr, elcrMask;
        final boolean master;

        Chip(boolean master) {
            this.master = master;
        }

        void reset() {
            lastIrr = irr = imr = isr = priorityAdd = irqBase = readRegSelect = poll = specialMask = initState = 0;
            autoEoi = rotateOnAutoEoi = specialFullyNestedMode = init4 = 0;
        }

        /** Highest priority bit of {@code mask}, as an IRQ number 0..7, or 8 for none. */
        int priority(int mask) {
            if (mask == 0) return 8;
            int p = 0;
            while ((mask & (1 << ((p + priorityAdd) & 7))) == 0) p++;
            return p;
        }

        /** The IRQ this chip asks the CPU (or master) for, or -1. */
        int output() {
            int mask = irr & ~imr;
            int p = priority(mask);
            if (p == 8) return -1;
            int inService = isr;
            // special fully nested mode: an in-service cascade input does not block the slave's higher requests
            if (master && specialFullyNestedMode != 0) inService &= ~(1 << 2);
            if (specialMask != 0) inService &= ~imr;
            int cur = priority(inService);
            return p < cur ? (p + priorityAdd) & 7 : -1;
        }

        void setIrq(int irq, int level) {
            int bit = 1 << irq;
            if ((elcr & bit) != 0) {                 // level-triggered
                if (level != 0) {
                    irr |= bit;
                    lastIrr |= bit;
                } else {
                    irr &= ~bit;
                    lastIrr &= ~bit;
                }
            } else {                                  // edge-triggered
                if (level != 0) {
                    if ((lastIrr & bit) == 0) irr |= bit;
                    lastIrr |= bit;
                } else {
                    lastIrr &= ~bit;
                }
            }
        }

        /** INTA for {@code irq}: into ISR (unless auto-EOI), edge requests consumed. */
        void ack(int irq) {
            int bit = 1 << irq;
            if (autoEoi != 0) {
                if (rotateOnAutoEoi != 0) priorityAdd = (irq + 1) & 7;
            } else {
                isr |= bit;
            }
            if ((elcr & bit) == 0) irr &= ~bit;
        }

        PicState state() {
            return new PicState(lastIrr, irr, imr, isr, priorityAdd, irqBase, readRegSelect, poll, specialMask,
                    initState, autoEoi, rotateOnAutoEoi, specialFullyNestedMode, init4, elcr, elcrMask);
        }

        void setState(PicState s) {
            lastIrr = s.last_irr(); irr = s.irr(); imr = s.imr(); isr = s.isr(); priorityAdd = s.priority_add();
            irqBase = s.irq_base(); readRegSelect = s.read_reg_select(); poll = s.poll();
            specialMask = s.special_mask(); initState = s.init_state(); autoEoi = s.auto_eoi();
            rotateOnAutoEoi = s.rotate_on_auto_eoi(); specialFullyNestedMode = s.special_fully_nested_mode();
            init4 = s.init4(); elcr = s.elcr(); elcrMask = s.elcr_mask();
        }
    }

    final Chip[] chips = {new Chip(true), new Chip(false)};
    private final IrqChip irqchip;

    I8259(IrqChip irqchip) {
        this.irqchip = irqchip;
        chips[0].elcrMask = 0xf8;
        chips[1].elcrMask = 0xde;
    }

    /** Drives input {@code irq} (0..15). */
    void setIrq(int irq, int level) {
        if (irq < 0 || irq > 15) return;
        chips[irq >> 3].setIrq(irq & 7, level);
        update();
    }

    /** Recomputes the cascade (slave output on master IRQ2) and the INTR line. */
    void update() {
        Chip s = chips[1], m = chips[0];
        if (s.output() >= 0) m.setIrq(2, 1);
        else m.setIrq(2, 0);
        irqchip.picOutputChanged(m.output() >= 0);
    }

    boolean output() {
        return chips[0].output() >= 0;
    }

    /** INTA cycle: the vector of the highest pending request (spurious IRQ7/15 when it vanished). */
    int acknowledge() {
        Chip m = chips[0], s = chips[1];
        int irq = m.output();
        int vector;
        if (irq < 0) {
            vector = m.irqBase + 7;                               // spurious IRQ 7
        } else if (irq == 2) {
            m.ack(2);
            int irq2 = s.output();
            if (irq2 >= 0) {
                s.ack(irq2);
                vector = s.irqBase + irq2;
            } else {
                vector = s.irqBase + 7;                            // spurious IRQ 15
            }
        } else {
            m.ack(irq);
            vector = m.irqBase + irq;
        }
        update();
        return vector;
    }

    // ------------------------------------------------------------------ ports

    int read(int port) {
        if (port == 0x4d0 || port == 0x4d1) return chips[port & 1].elcr;
        Chip c = chips[port >> 7 & 1];
        if (c.poll != 0) {
            c.poll = 0;
            int irq = c.output();
            if (irq < 0) return 0x07;
            c.ack(irq);
            update();
            return 0x80 | irq;
        }
        if ((port & 1) == 0) return c.readRegSelect != 0 ? c.isr : c.irr;
        return c.imr;
    }

    void write(int port, int v) {
        v &= 0xff;
        if (port == 0x4d0 || port == 0x4d1) {
            Chip c = chips[port & 1];
            c.elcr = v & c.elcrMask;
            update();
            return;
        }
        Chip c = chips[port >> 7 & 1];
        if ((port & 1) == 0) {
            if ((v & 0x10) != 0) {                                // ICW1
                c.reset();
                c.initState = 1;
                c.init4 = v & 1;
                if ((v & 0x08) != 0) c.elcr = 0xff & c.elcrMask;  // level-triggered mode (not on PC/AT)
            } else if ((v & 0x08) != 0) {                         // OCW3
                if ((v & 0x04) != 0) c.poll = 1;
                if ((v & 0x02) != 0) c.readRegSelect = v & 1;
                if ((v & 0x40) != 0) c.specialMask = (v >> 5) & 1;
            } else {                                              // OCW2
                int cmd = v >> 5;
                switch (cmd) {
                    case 0, 4 -> c.rotateOnAutoEoi = cmd >> 2;
                    case 1, 5 -> {                                // non-specific EOI (and rotate)
                        int p = c.priority(c.isr);
                        if (p != 8) {
                            int irq = (p + c.priorityAdd) & 7;
                            c.isr &= ~(1 << irq);
                            if (cmd == 5) c.priorityAdd = (irq + 1) & 7;
                        }
                    }
                    case 3 -> c.isr &= ~(1 << (v & 7));           // specific EOI
                    case 6 -> c.priorityAdd = (v + 1) & 7;        // set priority
                    case 7 -> {                                   // specific EOI and rotate
                        c.isr &= ~(1 << (v & 7));
                        c.priorityAdd = ((v & 7) + 1) & 7;
                    }
                    default -> { }
                }
            }
        } else {
            switch (c.initState) {
                case 0 -> c.imr = v;                              // OCW1
                case 1 -> {                                       // ICW2
                    c.irqBase = v & 0xf8;
                    c.initState = 2;
                }
                case 2 -> c.initState = c.init4 != 0 ? 3 : 0;     // ICW3 (cascade wiring is fixed)
                default -> {                                      // ICW4
                    c.specialFullyNestedMode = (v >> 4) & 1;
                    c.autoEoi = (v >> 1) & 1;
                    c.initState = 0;
                }
            }
        }
        update();
    }

    static boolean handles(int port) {
        return port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1 || port == 0x4d0 || port == 0x4d1;
    }
}
