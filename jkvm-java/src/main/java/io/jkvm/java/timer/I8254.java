package io.jkvm.java.timer;

import io.jkvm.api.uapi.PitChannelState;
import io.jkvm.api.uapi.PitState2;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The in-kernel 8254 PIT (KVM_CREATE_PIT2; Linux arch/x86/kvm/i8254.c): three counters at 1.193182 MHz,
 * modes 0–5, latching, the read/write byte sequencing, BCD, channel 2's gate and output on port 0x61.
 * Counter 0's output drives GSI 0; its edges are produced by {@link #poll} from the vCPU threads (no timer
 * thread): periodic modes raise at most one interrupt per poll, as KVM does with reinjection off.
 */
public final class I8254 {
    public static final long FREQ = 1_193_182;
    private static final int RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD0 = 3, RW_WORD1 = 4;

    static final class Channel {
        int count = 0x10000;                // initial count (65536 for 0)
        int latchedCount, countLatched, statusLatched, status, readState, writeState, writeLatch, rwMode, mode, bcd, gate;
        long countLoadTime;                 // host ns
        long nextIrqNs = Long.MAX_VALUE;
    }

    private final Channel[] ch = {new Channel(), new Channel(), new Channel()};
    private final IntConsumer irq;          // level of GSI 0
    private int flags;
    private boolean speakerData;

    public I8254(IntConsumer irq, long nowNs) {
        this.irq = irq;
        for (Channel c : ch) {
            c.gate = 1;
            c.countLoadTime = nowNs;
        }
        ch[2].gate = 0;
    }

    /** PIT ticks since the counter was loaded (split to avoid overflow over long uptimes). */
    private static long ticks(Channel c, long nowNs) {
        long dn = Math.max(0, nowNs - c.countLoadTime);
        return dn / 1_000_000_000L * FREQ + dn % 1_000_000_000L * FREQ / 1_000_000_000L;
    }

    private static int counter(Channel c, long nowNs) {
        long d = ticks(c, nowNs);
        return switch (c.mode) {
            case 0, 1, 4, 5 -> (int) ((c.count - d) & 0xffff);
            case 3 -> (int) (c.count - ((2 * d) % c.count));        // counts down by two
            default -> (int) (c.count - (d % c.count));
        };
    }

    private static boolean out(Channel c, long nowNs) {
        long d = ticks(c, nowNs);
        return switch (c.mode) {
            case 0 -> d >= c.count;
            case 1 -> d < c.count;
            case 2 -> (d % c.count) == 0 && d != 0;
            case 3 -> (d % c.count) < ((c.count + 1) >> 1);
            case 4, 5 -> d == c.count;
            default -> true;
        };
    }

    /** ns at which the next interrupt edge of counter 0 happens after the load, or MAX for none. */
    private static long firstIrq(Channel c) {
        long periodNs = c.count * 1_000_000_000L / FREQ;
        return switch (c.mode) {
            case 0, 4 -> c.countLoadTime + periodNs;
            case 2, 3 -> c.countLoadTime + periodNs;
            default -> Long.MAX_VALUE;
        };
    }

    /** Raises IRQ0 for counter 0 when its next edge is due. */
    public void poll(long nowNs) {
        Channel c = ch[0];
        if (nowNs < c.nextIrqNs) return;
        irq.accept(1);
        irq.accept(0);
        if (c.mode == 2 || c.mode == 3) {
            long periodNs = Math.max(1, c.count * 1_000_000_000L / FREQ);
            long missed = (nowNs - c.nextIrqNs) / periodNs + 1;
            c.nextIrqNs += missed * periodNs;
        } else {
            c.nextIrqNs = Long.MAX_VALUE;
        }
    }

    public long nextDeadline() {
        return ch[0].nextIrqNs;
    }

    private void load(int n, int value, long nowNs) {
        Channel c = ch[n];
        if (value == 0) value = 0x10000;
        c.count = value;
        c.countLoadTime = nowNs;
        if (n == 0) c.nextIrqNs = firstIrq(c);
    }

    private void latch(Channel c, long nowNs) {
        if (c.countLatched == 0) {
            c.latchedCount = counter(c, nowNs);
            c.countLatched = c.rwMode;
        }
    }

    public static boolean handles(int port) {
        return (port >= 0x40 && port <= 0x43) || port == 0x61;
    }

    public int read(int port, long nowNs) {
        if (port == 0x61) {
            Channel c2 = ch[2];
            boolean refresh = ((nowNs >> 4) & 1) != 0;          // bit 4 toggles every ~15 µs on real hardware
            return c2.gate | (speakerData ? 2 : 0) | (refresh ? 0x10 : 0) | (out(c2, nowNs) ? 0x20 : 0);
        }
        if (port == 0x43) return 0xff;
        Channel c = ch[port & 3];
        if (c.statusLatched != 0) {
            c.statusLatched = 0;
            return c.status;
        }
        if (c.countLatched != 0) {
            int v;
            switch (c.countLatched) {
                case RW_LSB -> { v = c.latchedCount & 0xff; c.countLatched = 0; }
                case RW_MSB -> { v = (c.latchedCount >> 8) & 0xff; c.countLatched = 0; }
                default -> { v = c.latchedCount & 0xff; c.countLatched = RW_MSB; }
            }
            return v;
        }
        int count = counter(c, nowNs);
        return switch (c.readState) {
            case RW_LSB -> count & 0xff;
            case RW_MSB -> (count >> 8) & 0xff;
            case RW_WORD0 -> { c.readState = RW_WORD1; yield count & 0xff; }
            default -> { c.readState = RW_WORD0; yield (count >> 8) & 0xff; }
        };
    }

    public void write(int port, int v, long nowNs) {
        v &= 0xff;
        if (port == 0x61) {
            ch[2].gate = v & 1;
            speakerData = (v & 2) != 0;
            if ((v & 1) != 0) ch[2].countLoadTime = nowNs;      // rising gate restarts counter 2 (modes 1, 5)
            return;
        }
        if (port == 0x43) {
            int sel = v >> 6;
            if (sel == 3) {                                      // read-back command
                for (int n = 0; n < 3; n++) {
                    if ((v & (2 << n)) == 0) continue;
                    Channel c = ch[n];
                    if ((v & 0x20) == 0) latch(c, nowNs);
                    if ((v & 0x10) == 0 && c.statusLatched == 0) {
                        c.status = (out(c, nowNs) ? 0x80 : 0) | (c.rwMode << 4) | (c.mode << 1) | c.bcd;
                        c.statusLatched = 1;
                    }
                }
                return;
            }
            Channel c = ch[sel];
            int access = (v >> 4) & 3;
            if (access == RW_LATCH) {
                latch(c, nowNs);
            } else {
                c.rwMode = access;
                c.readState = access;
                c.writeState = access;
                c.mode = (v >> 1) & 7;
                if (c.mode > 5) c.mode -= 4;                    // 6, 7 alias 2, 3
                c.bcd = v & 1;
                if (sel == 0) {
                    c.nextIrqNs = Long.MAX_VALUE;
                    irq.accept(0);
                }
            }
            return;
        }
        int n = port & 3;
        Channel c = ch[n];
        switch (c.writeState) {
            case RW_LSB -> load(n, v, nowNs);
            case RW_MSB -> load(n, v << 8, nowNs);
            case RW_WORD0 -> { c.writeLatch = v; c.writeState = RW_WORD1; }
            default -> { load(n, c.writeLatch | (v << 8), nowNs); c.writeState = RW_WORD0; }
        }
    }

    public PitState2 state(long nowNs) {
        List<PitChannelState> l = new ArrayList<>();
        for (Channel c : ch) {
            l.add(new PitChannelState(c.count, c.latchedCount, c.countLatched, c.statusLatched, c.status, c.readState,
                    c.writeState, c.writeLatch, c.rwMode, c.mode, c.bcd, c.gate, c.countLoadTime - nowNs));
        }
        return new PitState2(l, flags | (speakerData ? PitState2.KVM_PIT_FLAGS_SPEAKER_DATA_ON : 0));
    }

    /** Restores counters; count_load_time is kept relative to "now" so a restored PIT keeps its phase. */
    public void setState(PitState2 s, long nowNs) {
        for (int n = 0; n < 3; n++) {
            PitChannelState p = s.channels().get(n);
            Channel c = ch[n];
            c.count = p.count() == 0 ? 0x10000 : p.count();
            c.latchedCount = p.latched_count();
            c.countLatched = p.count_latched();
            c.statusLatched = p.status_latched();
            c.status = p.status();
            c.readState = p.read_state();
            c.writeState = p.write_state();
            c.writeLatch = p.write_latch();
            c.rwMode = p.rw_mode();
            c.mode = p.mode();
            c.bcd = p.bcd();
            c.gate = p.gate();
            c.countLoadTime = nowNs + p.count_load_time();
            if (n == 0) {
                c.nextIrqNs = firstIrq(c);
                if (c.nextIrqNs != Long.MAX_VALUE && (c.mode == 2 || c.mode == 3) && c.nextIrqNs < nowNs) {
                    long periodNs = Math.max(1, c.count * 1_000_000_000L / FREQ);
                    c.nextIrqNs += ((nowNs - c.nextIrqNs) / periodNs + 1) * periodNs;
                }
            }
        }
        flags = s.flags() & PitState2.KVM_PIT_FLAGS_HPET_LEGACY;
        speakerData = (s.flags() & PitState2.KVM_PIT_FLAGS_SPEAKER_DATA_ON) != 0;
    }
}
