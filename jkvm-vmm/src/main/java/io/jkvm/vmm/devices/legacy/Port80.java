package io.jkvm.vmm.devices.legacy;

import io.jkvm.vmm.vstate.BusDevice;

/**
 * Port 0x80, the POST diagnostic port. Linux writes to it as an I/O delay ({@code outb_p}); firmware and test
 * guests write progress codes. The last code is kept (a debugging aid) and read back.
 */
public final class Port80 implements BusDevice {
    public static final int PORT = 0x80;

    /** @param lastCode the last byte written */
    public record State(int lastCode) {}

    private int lastCode;

    private Port80(State s) {
        lastCode = s.lastCode();
    }

    public static Port80 fromState(State s) {
        return new Port80(s);
    }

    public static Port80 create() {
        return fromState(new State(0));
    }

    public State state() {
        return new State(lastCode);
    }

    @Override
    public long read(long offset, int size) {
        return lastCode;
    }

    @Override
    public void write(long offset, int size, long value) {
        lastCode = (int) value & 0xff;
    }
}
