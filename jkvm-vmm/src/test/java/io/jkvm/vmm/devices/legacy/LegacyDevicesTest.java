package io.jkvm.vmm.devices.legacy;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** i8042, port 0x80, isa-debug-exit, the ACPI PM ports, CMOS/RTC and fw_cfg, register by register. */
class LegacyDevicesTest {

    /** Counts the ACPI power device's power-offs and resets. */
    static final class Power implements AcpiPm.PowerLine {
        int offs, resets;

        public void powerOff() { offs++; }

        public void reset() { resets++; }
    }

    @Test
    void acpiSleepControlPowersOffOnlyForS5WithSlpEn() {
        Power p = new Power();
        AcpiPm pm = AcpiPm.create(p);
        int ctl = AcpiPm.SLEEP_CONTROL_REG - AcpiPm.BASE;
        pm.write(ctl, 1, 5 << 2);
        assertEquals(0, p.offs, "SLP_TYP without SLP_EN only prepares");
        pm.write(ctl, 1, 3 << 2 | 1 << 5);
        assertEquals(0, p.offs, "S3 is not declared in the DSDT, so it is ignored");
        pm.write(AcpiPm.SLEEP_STATUS_REG - AcpiPm.BASE, 1, 0xff);
        assertEquals(0, p.offs);
        pm.write(ctl, 1, 5 << 2 | 1 << 5);  // Linux's acpi_hw_extended_sleep for \_S5 = 5: 0x34
        assertEquals(1, p.offs);
        assertEquals(0, p.resets);
        assertEquals(0, pm.read(AcpiPm.SLEEP_STATUS_REG - AcpiPm.BASE, 1), "WAK_STS never set");
    }

    @Test
    void acpiResetRegisterResetsOnlyWithResetValue() {
        Power p = new Power();
        AcpiPm pm = AcpiPm.create(p);
        pm.write(AcpiPm.RESET_REG - AcpiPm.BASE, 1, AcpiPm.RESET_VALUE + 1);
        assertEquals(0, p.resets);
        pm.write(AcpiPm.RESET_REG - AcpiPm.BASE, 1, AcpiPm.RESET_VALUE);
        assertEquals(1, p.resets);
        assertEquals(0, p.offs);
    }

    @Test
    void i8042PulseResetPullsTheResetLine() {
        AtomicInteger resets = new AtomicInteger();
        I8042 kbc = I8042.create(resets::incrementAndGet);
        assertEquals(I8042.SB_SYS, kbc.read(4, 1) & I8042.SB_SYS);
        kbc.write(4, 1, 0xfe);
        assertEquals(1, resets.get());
    }

    @Test
    void i8042CommandByteAndOutputPortWrite() {
        AtomicInteger resets = new AtomicInteger();
        I8042 kbc = I8042.create(resets::incrementAndGet);
        kbc.write(4, 1, 0x60);
        kbc.write(0, 1, 0x47);
        kbc.write(4, 1, 0x20);
        assertEquals(I8042.I8042_STR_OBF, kbc.read(4, 1) & I8042.I8042_STR_OBF);
        assertEquals(0x47, kbc.read(0, 1));
        assertEquals(0, kbc.read(4, 1) & I8042.I8042_STR_OBF, "reading 0x60 empties the output buffer");
        kbc.write(4, 1, 0xd1);
        kbc.write(0, 1, 0x01);
        assertEquals(0, resets.get(), "output port with bit 0 set keeps the CPU running");
        kbc.write(4, 1, 0xd1);
        kbc.write(0, 1, 0x00);
        assertEquals(1, resets.get());
        assertEquals(kbc.state(), I8042.fromState(kbc.state(), () -> {}).state());
    }

    @Test
    void port80KeepsTheLastCode() {
        Port80 p = Port80.create();
        p.write(0, 1, 0x1234);
        assertEquals(0x34, p.read(0, 1));
        assertEquals(new Port80.State(0x34), p.state());
    }

    @Test
    void debugExitStatusIsValueShiftedLeftPlusOne() {
        AtomicInteger status = new AtomicInteger(-1);
        DebugExit d = DebugExit.create(status::set);
        d.write(0, 1, 0);
        assertEquals(1, status.get());
        d.write(0, 1, 0x10);
        assertEquals(0x21, status.get());
        d.write(0, 4, 0x7f);
        assertEquals(0xff, status.get());
        assertEquals(0x1ff, DebugExit.status(0x1ff, 1), "size 1 keeps the low byte: (0xff<<1)|1");
    }

    static final long T = LocalDateTime.of(2024, 3, 9, 21, 7, 45).toEpochSecond(ZoneOffset.UTC);

    static int rtc(Cmos c, int reg) {
        c.write(0, 1, reg);
        return (int) c.read(1, 1);
    }

    @Test
    void rtcReadsBcdIn24HourModeByDefault() {
        Cmos c = Cmos.create(() -> T, 64 << 20, 0);
        assertEquals(0x45, rtc(c, Cmos.RTC_SECONDS));
        assertEquals(0x07, rtc(c, Cmos.RTC_MINUTES));
        assertEquals(0x21, rtc(c, Cmos.RTC_HOURS));
        assertEquals(0x09, rtc(c, Cmos.RTC_DAY_OF_MONTH));
        assertEquals(0x03, rtc(c, Cmos.RTC_MONTH));
        assertEquals(0x24, rtc(c, Cmos.RTC_YEAR));
        assertEquals(0x20, rtc(c, Cmos.RTC_CENTURY));
        assertEquals(7, rtc(c, Cmos.RTC_DAY_OF_WEEK), "2024-03-09 is a Saturday: 7 with Sunday = 1");
        assertEquals(0, rtc(c, Cmos.RTC_REG_A) & 0x80, "never update-in-progress");
        assertEquals(Cmos.RTC_VRT, rtc(c, Cmos.RTC_REG_D));
    }

    @Test
    void rtcBinaryAnd12HourModesFollowRegisterB() {
        Cmos c = Cmos.create(() -> T, 64 << 20, 0);
        c.write(0, 1, Cmos.RTC_REG_B);
        c.write(1, 1, Cmos.RTC_DM_BINARY);  // binary, 12-hour
        assertEquals(45, rtc(c, Cmos.RTC_SECONDS));
        assertEquals(0x80 | 9, rtc(c, Cmos.RTC_HOURS), "21h = 9 PM");
        c.write(0, 1, Cmos.RTC_REG_B);
        c.write(1, 1, Cmos.RTC_DM_BINARY | Cmos.RTC_24H);
        assertEquals(21, rtc(c, Cmos.RTC_HOURS));
    }

    @Test
    void guestWritesMoveTheClock() {
        Cmos c = Cmos.create(() -> T, 64 << 20, 0);
        c.write(0, 1, Cmos.RTC_YEAR);
        c.write(1, 1, 0x30);
        assertEquals(0x30, rtc(c, Cmos.RTC_YEAR));
        assertEquals(0x45, rtc(c, Cmos.RTC_SECONDS));
        Cmos restored = Cmos.fromState(c.state(), () -> T);
        assertEquals(0x30, rtc(restored, Cmos.RTC_YEAR), "the offset is state");
    }

    @Test
    void indexBit7IsTheNmiMaskAndRamBytesPersist() {
        Cmos c = Cmos.create(() -> T, 64 << 20, 0);
        c.write(0, 1, 0x80 | 0x40);
        assertTrue(c.nmiDisabled());
        c.write(1, 1, 0x5a);
        c.write(0, 1, 0x40);
        assertFalse(c.nmiDisabled());
        assertEquals(0x5a, c.read(1, 1));
        assertEquals((64 - 16) << 4 & 0xff, rtc(c, Cmos.CMOS_EXTMEM2_LOW), "64 KiB units above 16 MiB");
    }

    static byte[] readItem(FwCfg f, int key, int n) {
        f.write(0, 2, key);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) f.read(1, 1);
        return b;
    }

    @Test
    void fwCfgSignatureIdAndNumbers() {
        FwCfg f = new FwCfg.Builder().u16(FwCfg.FW_CFG_NB_CPUS, 2).u16(FwCfg.FW_CFG_MAX_CPUS, 2)
                .u64(FwCfg.FW_CFG_RAM_SIZE, 256L << 20).put(FwCfg.FW_CFG_CMDLINE_DATA, "x=1\0".getBytes()).build();
        assertEquals("QEMU", new String(readItem(f, FwCfg.FW_CFG_SIGNATURE, 4), StandardCharsets.US_ASCII));
        assertEquals(1, ByteBuffer.wrap(readItem(f, FwCfg.FW_CFG_ID, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(2, ByteBuffer.wrap(readItem(f, FwCfg.FW_CFG_NB_CPUS, 2)).order(ByteOrder.LITTLE_ENDIAN).getShort());
        assertEquals(256L << 20, ByteBuffer.wrap(readItem(f, FwCfg.FW_CFG_RAM_SIZE, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertArrayEquals(new byte[] {'x', '=', '1', 0, 0, 0}, readItem(f, FwCfg.FW_CFG_CMDLINE_DATA, 6), "past the end reads 0");
        assertArrayEquals(new byte[4], readItem(f, 0x7777, 4), "a missing key reads 0");
    }

    @Test
    void fwCfgFileDirectoryIsBigEndian() {
        FwCfg f = new FwCfg.Builder().file("etc/jkvm", new byte[] {1, 2, 3}).build();
        ByteBuffer dir = ByteBuffer.wrap(readItem(f, FwCfg.FW_CFG_FILE_DIR, 4 + 64));
        assertEquals(1, dir.getInt());
        assertEquals(3, dir.getInt());
        assertEquals(FwCfg.FW_CFG_FILE_FIRST, dir.getShort());
        dir.getShort();
        byte[] name = new byte[8];
        dir.get(name);
        assertEquals("etc/jkvm", new String(name, StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 2, 3}, readItem(f, FwCfg.FW_CFG_FILE_FIRST, 3));
    }

    @Test
    void fwCfgSelectorRewindsAndStateKeepsThePosition() {
        FwCfg f = new FwCfg.Builder().build();
        readItem(f, FwCfg.FW_CFG_SIGNATURE, 2);
        assertEquals(new FwCfg.State(0, 2), f.state());
        readItem(f, FwCfg.FW_CFG_SIGNATURE, 1);
        assertEquals(new FwCfg.State(0, 1), f.state(), "selecting again rewinds");
    }
}
