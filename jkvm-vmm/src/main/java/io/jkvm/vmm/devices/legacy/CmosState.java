package io.jkvm.vmm.devices.legacy;

/**
 * CMOS RAM and the MC146818 real-time clock.
 *
 * @param index the register selected through port 0x70 (bits 0–6)
 * @param nmiDisabled bit 7 of the last port-0x70 write: NMI masked
 * @param ram the 128 bytes of CMOS RAM; the RTC's time/date bytes (0–9, 0x32) in it are unused because the
 *            time is derived from the host clock plus {@code offsetSeconds}
 * @param offsetSeconds guest RTC time minus host time, in seconds (non-zero once the guest sets the clock)
 */
public record CmosState(int index, boolean nmiDisabled, byte[] ram, long offsetSeconds) {
    public CmosState {
        if (ram.length != Cmos.SIZE) throw new IllegalArgumentException("CMOS has " + Cmos.SIZE + " bytes");
        ram = ram.clone();
    }

    @Override
    public byte[] ram() {
        return ram.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CmosState s && index == s.index && nmiDisabled == s.nmiDisabled
                && java.util.Arrays.equals(ram, s.ram) && offsetSeconds == s.offsetSeconds;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(ram) + 31 * Long.hashCode(offsetSeconds) + index;
    }
}
