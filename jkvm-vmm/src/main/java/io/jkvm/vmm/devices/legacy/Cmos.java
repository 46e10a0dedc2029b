package io.jkvm.vmm.devices.legacy;

import io.jkvm.vmm.vstate.BusDevice;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * CMOS RAM with the Motorola MC146818 RTC at ports 0x70 (index; bit 7 = NMI disable) and 0x71 (data).
 * Register numbers follow Linux's {@code include/linux/mc146818rtc.h}. The clock is UTC (as Linux's x86 RTC
 * driver assumes) taken from a host clock passed in, so the model stays pure and tests can fix the time.
 * Time registers read in BCD or binary and in 12- or 24-hour format per register B (RTC_DM_BINARY,
 * RTC_24H); register A never shows update-in-progress, so a guest's "wait for !UIP, then read" loop is
 * short. A guest write to a time register moves the guest's clock (kept as an offset to the host's).
 */
public final class Cmos implements BusDevice {
    public static final int BASE = 0x70, LENGTH = 2, SIZE = 128;
    public static final int RTC_SECONDS = 0, RTC_SECONDS_ALARM = 1, RTC_MINUTES = 2, RTC_MINUTES_ALARM = 3,
            RTC_HOURS = 4, RTC_HOURS_ALARM = 5, RTC_DAY_OF_WEEK = 6, RTC_DAY_OF_MONTH = 7, RTC_MONTH = 8,
            RTC_YEAR = 9, RTC_REG_A = 10, RTC_REG_B = 11, RTC_REG_C = 12, RTC_REG_D = 13, RTC_CENTURY = 0x32;
    public static final int RTC_SET = 0x80, RTC_DM_BINARY = 0x04, RTC_24H = 0x02;
    public static final int RTC_VRT = 0x80;
    /** Register A: 32.768 kHz time base, 1024 Hz periodic rate — the value firmware leaves there. */
    public static final int RTC_REG_A_DEFAULT = 0x26;
    /** CMOS bytes QEMU and SeaBIOS use for memory sizes (KiB above 1 MiB; 64 KiB units above 16 MiB / 4 GiB). */
    public static final int CMOS_EXTMEM_LOW = 0x30, CMOS_EXTMEM_HIGH = 0x31, CMOS_EXTMEM2_LOW = 0x34,
            CMOS_EXTMEM2_HIGH = 0x35, CMOS_HIGHMEM_LOW = 0x5b, CMOS_HIGHMEM_MID = 0x5c, CMOS_HIGHMEM_HIGH = 0x5d;

    private final LongSupplier hostEpochSeconds;
    private int index;
    private boolean nmiDisabled;
    private final byte[] ram;
    private long offsetSeconds;

    private Cmos(CmosState s, LongSupplier hostEpochSeconds) {
        this.hostEpochSeconds = hostEpochSeconds;
        index = s.index();
        nmiDisabled = s.nmiDisabled();
        ram = s.ram();
        offsetSeconds = s.offsetSeconds();
    }

    public static Cmos fromState(CmosState s, LongSupplier hostEpochSeconds) {
        return new Cmos(s, hostEpochSeconds);
    }

    /** Power-on state: 24-hour BCD mode, valid RAM; {@code memoryBytes} below/above 4 GiB recorded as firmware does. */
    public static Cmos create(LongSupplier hostEpochSeconds, long lowMemoryBytes, long highMemoryBytes) {
        byte[] ram = new byte[SIZE];
        ram[RTC_REG_A] = RTC_REG_A_DEFAULT;
        ram[RTC_REG_B] = RTC_24H;
        ram[RTC_REG_D] = (byte) RTC_VRT;
        long extKiB = Math.min(0xffff, Math.max(0, lowMemoryBytes - (1 << 20)) >> 10);
        ram[CMOS_EXTMEM_LOW] = (byte) extKiB;
        ram[CMOS_EXTMEM_HIGH] = (byte) (extKiB >> 8);
        long ext2 = Math.min(0xffff, Math.max(0, lowMemoryBytes - (16 << 20)) >> 16);
        ram[CMOS_EXTMEM2_LOW] = (byte) ext2;
        ram[CMOS_EXTMEM2_HIGH] = (byte) (ext2 >> 8);
        long high = highMemoryBytes >> 16;
        ram[CMOS_HIGHMEM_LOW] = (byte) high;
        ram[CMOS_HIGHMEM_MID] = (byte) (high >> 8);
        ram[CMOS_HIGHMEM_HIGH] = (byte) (high >> 16);
        return fromState(new CmosState(0, false, ram, 0), hostEpochSeconds);
    }

    public CmosState state() {
        return new CmosState(index, nmiDisabled, ram, offsetSeconds);
    }

    /** NMI masked by the guest (bit 7 of the last index write). */
    public boolean nmiDisabled() {
        return nmiDisabled;
    }

    @Override
    public long read(long offset, int size) {
        if (offset == 0) return 0xff;  // the index port is write-only
        return readRegister(index);
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value & 0xff;
        if (offset == 0) {
            index = v & 0x7f;
            nmiDisabled = (v & 0x80) != 0;
        } else {
            writeRegister(index, v);
        }
    }

    private LocalDateTime now() {
        return LocalDateTime.ofEpochSecond(hostEpochSeconds.getAsLong() + offsetSeconds, 0, ZoneOffset.UTC);
    }

    private int readRegister(int reg) {
        LocalDateTime t = now();
        return switch (reg) {
            case RTC_SECONDS -> encode(t.getSecond());
            case RTC_MINUTES -> encode(t.getMinute());
            case RTC_HOURS -> encodeHour(t.getHour());
            case RTC_DAY_OF_WEEK -> encode(t.getDayOfWeek().getValue() % 7 + 1);  // 1 = Sunday
            case RTC_DAY_OF_MONTH -> encode(t.getDayOfMonth());
            case RTC_MONTH -> encode(t.getMonthValue());
            case RTC_YEAR -> encode(t.getYear() % 100);
            case RTC_CENTURY -> encode(t.getYear() / 100);
            case RTC_REG_C -> 0;  // no alarm, periodic or update interrupts are generated
            default -> ram[reg] & 0xff;
        };
    }

    private void writeRegister(int reg, int v) {
        switch (reg) {
            case RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_MONTH, RTC_MONTH, RTC_YEAR, RTC_CENTURY -> setTime(reg, v);
            case RTC_DAY_OF_WEEK -> { }   // derived from the date
            case RTC_REG_A -> ram[reg] = (byte) (v & 0x7f);  // UIP is read-only
            case RTC_REG_C, RTC_REG_D -> { }  // read-only
            default -> ram[reg] = (byte) v;
        }
    }

    private void setTime(int reg, int raw) {
        LocalDateTime t = now();
        try {
            int v = reg == RTC_HOURS ? decodeHour(raw) : decode(raw);
            t = switch (reg) {
                case RTC_SECONDS -> t.withSecond(v);
                case RTC_MINUTES -> t.withMinute(v);
                case RTC_HOURS -> t.withHour(v);
                case RTC_DAY_OF_MONTH -> t.withDayOfMonth(v);
                case RTC_MONTH -> t.withMonth(v);
                case RTC_YEAR -> t.withYear(t.getYear() / 100 * 100 + v);
                default -> t.withYear(v * 100 + t.getYear() % 100);
            };
        } catch (java.time.DateTimeException e) {
            return;  // a value the chip could hold but no calendar can: ignore the write
        }
        offsetSeconds = t.toEpochSecond(ZoneOffset.UTC) - hostEpochSeconds.getAsLong();
    }

    private boolean binary() {
        return (ram[RTC_REG_B] & RTC_DM_BINARY) != 0;
    }

    private int encode(int v) {
        return binary() ? v : (v / 10) << 4 | v % 10;
    }

    private int decode(int v) {
        return binary() ? v : (v >> 4) * 10 + (v & 0xf);
    }

    private int encodeHour(int h) {
        if ((ram[RTC_REG_B] & RTC_24H) != 0) return encode(h);
        int h12 = h % 12 == 0 ? 12 : h % 12;
        return encode(h12) | (h >= 12 ? 0x80 : 0);
    }

    private int decodeHour(int raw) {
        if ((ram[RTC_REG_B] & RTC_24H) != 0) return decode(raw);
        int h12 = decode(raw & 0x7f) % 12;
        return (raw & 0x80) != 0 ? h12 + 12 : h12;
    }
}
