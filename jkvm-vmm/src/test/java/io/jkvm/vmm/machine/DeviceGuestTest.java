package io.jkvm.vmm.machine;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.testkit.Backends;
import io.jkvm.vmm.MachineConfig;
import io.jkvm.vmm.MachineExit;
import io.jkvm.vmm.boot.Multiboot;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Multiboot guests that exercise each device, run through the real machine assembly on every backend. */
class DeviceGuestTest {
    @TempDir
    Path dir;

    static java.util.stream.Stream<String> backends() {
        return Backends.all();
    }

    static final long MEM = 64 << 20;

    MachineConfig config(String backend, String name, String body) throws Exception {
        Backends.assumeAvailable(backend);
        return MachineConfig.multiboot(backend, MEM, Guests.image(dir, name, body), "jkvm-test");
    }

    MachineRun run(String backend, String name, String body) throws Exception {
        return MachineRun.run(config(backend, name, body), null);
    }

    static final MachineExit PASS = new MachineExit.DebugExit(1);

    @ParameterizedTest
    @MethodSource("backends")
    void uartInputIsPolledAndEchoed(String backend) throws Exception {
        var in = new ByteArrayInputStream("ping\n".getBytes(StandardCharsets.US_ASCII));
        try (MachineRun r = MachineRun.run(config(backend, "uart-in", """
                    mov $RESULT, %edi
                1:  mov $COM1+5, %dx
                    in %dx, %al
                    test $1, %al
                    jz 1b
                    mov $COM1, %dx
                    in %dx, %al
                    stosb
                    out %al, %dx
                    cmp $'\\n', %al
                    jne 1b
                    exit 0
                """), in)) {
            assertEquals(PASS, r.exit(), r.toString());
            assertEquals("ping\n", r.console());
            assertArrayEquals("ping\n".getBytes(), r.machine().memory().read(Guests.RESULT, 5));
        }
    }

    /**
     * The UART's interrupt through the in-kernel irqchip: IRQ 4 → master 8259 (vector 0x24) → the BSP's LINT0
     * (ExtINT). The guest sleeps in HLT with interrupts on; only the interrupt can wake it to read the byte.
     * The handler ends the run itself instead of returning: the nested PVM host cannot emulate IRET at CPL0
     * (KVM_EXIT_INTERNAL_ERROR, like lock cmpxchg16b).
     */
    @ParameterizedTest
    @MethodSource("backends")
    void uartReceiveInterruptWakesTheGuest(String backend) throws Exception {
        var in = new ByteArrayInputStream("Z".getBytes(StandardCharsets.US_ASCII));
        try (MachineRun r = MachineRun.run(config(backend, "uart-irq", """
                    .set VEC, 0x24
                    mov $handler, %eax
                    mov %ax, idt + VEC * 8
                    movw $0x10, idt + VEC * 8 + 2
                    movw $0x8e00, idt + VEC * 8 + 4
                    shr $16, %eax
                    mov %ax, idt + VEC * 8 + 6
                    lidt idt_desc
                    .macro outb port, val
                        mov $\\val, %al
                        out %al, $\\port
                    .endm
                    outb 0x20, 0x11
                    outb 0xa0, 0x11
                    outb 0x21, 0x20
                    outb 0xa1, 0x28
                    outb 0x21, 0x04
                    outb 0xa1, 0x02
                    outb 0x21, 0x01
                    outb 0xa1, 0x01
                    outb 0x21, 0xef
                    outb 0xa1, 0xff
                    mov $COM1+4, %dx
                    mov $0x08, %al
                    out %al, %dx
                    mov $COM1+1, %dx
                    mov $0x01, %al
                    out %al, %dx
                    sti
                1:  hlt
                    jmp 1b
                handler:
                    mov $COM1, %dx
                    in %dx, %al
                    mov %al, RESULT
                    mov $0x20, %al
                    out %al, $0x20
                    exit 0
                    .align 8
                idt: .fill (VEC + 1) * 8, 1, 0
                idt_desc: .word (VEC + 1) * 8 - 1
                    .long idt
                """), in)) {
            assertEquals(PASS, r.exit(), r.toString());
            assertEquals('Z', r.machine().memory().u8(Guests.RESULT), "the handler read the byte");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void rtcReadsTodaysDateInBcd(String backend) throws Exception {
        try (MachineRun r = run(backend, "rtc", """
                    mov $RESULT, %edi
                    mov $regs, %esi
                    mov $8, %ecx
                1:  lodsb
                    out %al, $0x70
                    in $0x71, %al
                    stosb
                    loop 1b
                    exit 0
                regs: .byte 0, 2, 4, 7, 8, 9, 0x32, 0x0b
                """)) {
            assertEquals(PASS, r.exit(), r.toString());
            byte[] v = r.machine().memory().read(Guests.RESULT, 8);
            assertEquals(0x02, v[7], "register B: 24-hour, BCD");
            LocalDateTime guest = LocalDateTime.of(bcd(v[6]) * 100 + bcd(v[5]), bcd(v[4]), bcd(v[3]), bcd(v[2]), bcd(v[1]), bcd(v[0]));
            long skew = Math.abs(guest.toEpochSecond(ZoneOffset.UTC) - System.currentTimeMillis() / 1000);
            assertTrue(skew < 120, "guest RTC " + guest + " vs host UTC now: " + skew + " s apart");
        }
    }

    static int bcd(byte b) {
        return (b >> 4 & 0xf) * 10 + (b & 0xf);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void fwCfgAnswersSignatureCpusRamAndCmdline(String backend) throws Exception {
        try (MachineRun r = run(backend, "fwcfg", """
                    .macro fwread key, n, dest
                        mov $0x510, %dx
                        mov $\\key, %ax
                        out %ax, %dx
                        mov $0x511, %dx
                        mov $\\dest, %edi
                        mov $\\n, %ecx
                    1:  in %dx, %al
                        stosb
                        loop 1b
                    .endm
                    fwread 0x00, 4, RESULT
                    fwread 0x05, 2, RESULT+4
                    fwread 0x0f, 2, RESULT+6
                    fwread 0x03, 8, RESULT+8
                    fwread 0x15, 10, RESULT+16
                    exit 0
                """)) {
            assertEquals(PASS, r.exit(), r.toString());
            var m = r.machine().memory();
            assertEquals("QEMU", new String(m.read(Guests.RESULT, 4), StandardCharsets.US_ASCII));
            assertEquals(1, m.u16(Guests.RESULT + 4), "FW_CFG_NB_CPUS");
            assertEquals(1, m.u16(Guests.RESULT + 6), "FW_CFG_MAX_CPUS");
            assertEquals(MEM, m.u64(Guests.RESULT + 8), "FW_CFG_RAM_SIZE");
            assertEquals("jkvm-test\0", new String(m.read(Guests.RESULT + 16, 10), StandardCharsets.US_ASCII));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void multibootInformationReachesTheGuest(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        Path module = Files.write(dir.resolve("module.bin"), "module payload".getBytes());
        Path img = Guests.image(dir, "mbi", """
                    mov %eax, RESULT
                    mov %ebx, RESULT+4
                    cmp $0x2BADB002, %eax
                    jne 1f
                    exit 0
                1:  exit 1
                """);
        var k = new MachineConfig.Kernel(MachineConfig.KernelKind.MULTIBOOT, img, null, List.of(module));
        try (MachineRun r = MachineRun.run(new MachineConfig(backend, MEM, 1, k, "a b=c", List.of(), false, false, true), null)) {
            assertEquals(PASS, r.exit(), "EAX must be 0x2BADB002: " + r);
            var m = r.machine().memory();
            long mbi = m.u32(Guests.RESULT + 4) & 0xffffffffL;
            assertEquals(0x24d, m.u32(mbi) & 0x24d, "flags: mem, cmdline, mods, mmap, loader name");
            assertEquals(639, m.u32(mbi + Multiboot.MBI_MEM_LOWER));
            assertEquals((MEM - (1 << 20)) >> 10, m.u32(mbi + Multiboot.MBI_MEM_UPPER));
            assertEquals("a b=c", m.cString(m.u32(mbi + Multiboot.MBI_CMDLINE), 64));
            assertEquals("jkvm", m.cString(m.u32(mbi + Multiboot.MBI_BOOT_LOADER_NAME), 64));
            assertEquals(1, m.u32(mbi + Multiboot.MBI_MODS_COUNT));
            long mod = m.u32(mbi + Multiboot.MBI_MODS_ADDR);
            long start = m.u32(mod), end = m.u32(mod + 4);
            assertEquals(0, start & 0xfff, "modules are page-aligned");
            assertEquals("module payload", new String(m.read(start, (int) (end - start))));
            assertEquals(module.toString(), m.cString(m.u32(mod + 8), 256));
            long mmap = m.u32(mbi + Multiboot.MBI_MMAP_ADDR);
            int len = m.u32(mbi + Multiboot.MBI_MMAP_LENGTH);
            boolean ramAt1M = false;
            for (long e = mmap; e < mmap + len; e += m.u32(e) + 4)
                ramAt1M |= m.u64(e + 4) == 0x100000 && m.u32(e + 20) == 1 && m.u64(e + 12) == MEM - 0x100000;
            assertTrue(ramAt1M, "mmap has RAM from 1 MiB to the end");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void virtioBlkWritesReadsAndFlushesATempImage(String backend) throws Exception {
        byte[] image = new byte[4 * 512];
        for (int i = 0; i < 512; i++) image[i] = (byte) (i * 7);
        Path disk = Files.write(dir.resolve("disk.img"), image);
        MachineConfig c = config(backend, "blk", Guests.VIRTIO + """
                    virtio_probe 2
                    virtio_queue 0, 8, desc, avail, used
                    vw 0x070, $0xf
                    movw $1, avail+2
                    vw 0x050, $0
                    movw $2, avail+2
                    vw 0x050, $0
                    movw $3, avail+2
                    vw 0x050, $0
                    mov VIRTIO+0x060, %eax
                    mov %eax, RESULT
                    vw 0x064, $1
                    movzbl st0, %eax
                    mov %eax, RESULT+4
                    movzbl st1, %eax
                    mov %eax, RESULT+8
                    movzbl st2, %eax
                    mov %eax, RESULT+12
                    movzwl used+2, %eax
                    mov %eax, RESULT+16
                    mov used+16, %eax
                    mov %eax, RESULT+20
                    exit 0
                fail: exit 1
                    .align 16
                desc:
                    .quad hdr_out
                    .long 16
                    .word 1, 1
                    .quad pattern
                    .long 512
                    .word 1, 2
                    .quad st0
                    .long 1
                    .word 2, 0
                    .quad hdr_in
                    .long 16
                    .word 1, 4
                    .quad RESULT+0x100
                    .long 512
                    .word 3, 5
                    .quad st1
                    .long 1
                    .word 2, 0
                    .quad hdr_flush
                    .long 16
                    .word 1, 7
                    .quad st2
                    .long 1
                    .word 2, 0
                avail: .word 0, 0, 0, 3, 6, 0, 0, 0, 0, 0, 0
                    .align 4
                used: .fill 6 + 8 * 8, 1, 0
                hdr_out: .long 1, 0
                    .quad 1
                hdr_in: .long 0, 0
                    .quad 0
                hdr_flush: .long 4, 0
                    .quad 0
                st0: .byte 0xff
                st1: .byte 0xff
                st2: .byte 0xff
                pattern: .fill 512, 1, 0xa5
                """).withDisks(List.of(new MachineConfig.Disk(disk, false)));
        try (MachineRun r = MachineRun.run(c, null)) {
            assertEquals(PASS, r.exit(), r.toString());
            var m = r.machine().memory();
            assertEquals(1, m.u32(Guests.RESULT), "InterruptStatus: used buffer");
            assertEquals(List.of(0, 0, 0), List.of(m.u32(Guests.RESULT + 4), m.u32(Guests.RESULT + 8), m.u32(Guests.RESULT + 12)),
                    "VIRTIO_BLK_S_OK for write, read, flush");
            assertEquals(3, m.u32(Guests.RESULT + 16), "used idx");
            assertEquals(513, m.u32(Guests.RESULT + 20), "read request: 512 data bytes + status");
            assertArrayEquals(Arrays.copyOf(image, 512), m.read(Guests.RESULT + 0x100, 512), "sector 0 read into the guest");
            byte[] after = Files.readAllBytes(disk);
            byte[] a5 = new byte[512];
            Arrays.fill(a5, (byte) 0xa5);
            assertArrayEquals(a5, Arrays.copyOfRange(after, 512, 1024), "sector 1 written by the guest");
            assertArrayEquals(Arrays.copyOf(image, 512), Arrays.copyOf(after, 512), "sector 0 untouched");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void virtioRngFillsTheBuffer(String backend) throws Exception {
        MachineConfig c = config(backend, "rng", Guests.VIRTIO + """
                    virtio_probe 4
                    virtio_queue 0, 8, desc, avail, used
                    vw 0x070, $0xf
                    movw $1, avail+2
                    vw 0x050, $0
                    movzwl used+2, %eax
                    mov %eax, RESULT
                    mov used+8, %eax
                    mov %eax, RESULT+4
                    exit 0
                fail: exit 1
                    .align 16
                desc:
                    .quad RESULT+0x100
                    .long 64
                    .word 2, 0
                avail: .word 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
                    .align 4
                used: .fill 6 + 8 * 8, 1, 0
                """).withRng(true);
        try (MachineRun r = MachineRun.run(c, null)) {
            assertEquals(PASS, r.exit(), r.toString());
            var m = r.machine().memory();
            assertEquals(1, m.u32(Guests.RESULT), "used idx");
            assertEquals(64, m.u32(Guests.RESULT + 4), "used len");
            byte[] random = m.read(Guests.RESULT + 0x100, 64);
            assertFalse(Arrays.equals(new byte[64], random), "64 random bytes are not all zero");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void virtioConsoleTransmits(String backend) throws Exception {
        MachineConfig c = config(backend, "hvc", Guests.VIRTIO + """
                    virtio_probe 3
                    virtio_queue 1, 8, desc, avail, used
                    vw 0x070, $0xf
                    movw $1, avail+2
                    vw 0x050, $1
                    exit 0
                fail: exit 1
                    .align 16
                desc:
                    .quad msg
                    .long 14
                    .word 0, 0
                avail: .word 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
                    .align 4
                used: .fill 6 + 8 * 8, 1, 0
                msg: .ascii "hello via hvc\n"
                """).withVirtioConsole(true);
        try (MachineRun r = MachineRun.run(c, null)) {
            assertEquals(PASS, r.exit(), r.toString());
            assertEquals("hello via hvc\n", r.console());
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void uartOutputAndDebugExitStatus(String backend) throws Exception {
        try (MachineRun r = run(backend, "uart-out", """
                    mov $msg, %esi
                    call puts
                    exit 0x2a
                msg: .asciz "Hello from COM1\\n"
                """)) {
            assertEquals(new MachineExit.DebugExit(0x55), r.exit(), r.toString());
            assertEquals("Hello from COM1\n", r.console());
        }
    }
}
