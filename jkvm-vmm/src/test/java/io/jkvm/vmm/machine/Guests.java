package io.jkvm.vmm.machine;

import io.jkvm.testkit.Backends;
import io.jkvm.testkit.Gas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Multiboot device-test guests, GNU-assembled at test time: a multiboot header with the a.out kludge (so
 * the loader's header path is what boots them), then 32-bit flat protected-mode code. Each guest checks
 * what it can itself, stores values for the host at {@link #RESULT}, and ends through isa-debug-exit. They
 * stay small in CPL0 instructions, because the nested host emulates CPL0 at ~1–2 M instructions/s.
 */
public final class Guests {
    private Guests() {}

    public static final long BASE = 0x100000;
    /** Where guests store values for the host to read after the run. */
    public static final long RESULT = 0x200000;

    static final String PRELUDE = """
            .code32
            .globl _start
            .set COM1, 0x3f8
            .set DEBUG_EXIT, 0xf4
            .set RESULT, 0x200000
            .macro exit code
                mov $\\code, %al
                out %al, $DEBUG_EXIT
            1:  hlt
                jmp 1b
            .endm
            .macro putc c
                mov $\\c, %al
                mov $COM1, %dx
                out %al, %dx
            .endm
            _start:
                jmp entry
                .align 4
            mb_header:
                .long 0x1BADB002
                .long 0x00010002
                .long -(0x1BADB002 + 0x00010002)
                .long mb_header
                .long _start
                .long 0
                .long 0
                .long entry
            /* puts: print the NUL-terminated string at %esi on COM1 */
            puts:
                mov $COM1, %dx
            2:  lodsb
                test %al, %al
                jz 3f
                out %al, %dx
                jmp 2b
            3:  ret
            entry:
                mov $0x180000, %esp
            """;

    /** Macros for the virtio guests: register writes, the driver's probe and a queue's set-up (virtio 1.x §3.1.1, §4.2.3.2). */
    public static final String VIRTIO = """
            .set VIRTIO, 0xe0000000
            .macro vw off, val
                movl \\val, VIRTIO+\\off
            .endm
            .macro virtio_probe devid
                cmpl $0x74726976, VIRTIO+0x000
                jne fail
                cmpl $2, VIRTIO+0x004
                jne fail
                cmpl $\\devid, VIRTIO+0x008
                jne fail
                vw 0x070, $1
                vw 0x070, $3
                vw 0x024, $1
                vw 0x020, $1
                vw 0x024, $0
                vw 0x020, $0
                vw 0x070, $0xb
                testl $8, VIRTIO+0x070
                jz fail
            .endm
            .macro virtio_queue q, num, desc, avail, used
                vw 0x030, $\\q
                vw 0x038, $\\num
                vw 0x080, $\\desc
                vw 0x084, $0
                vw 0x090, $\\avail
                vw 0x094, $0
                vw 0x0a0, $\\used
                vw 0x0a4, $0
                vw 0x044, $1
            .endm
            """;

    /** Assembles {@code body} after the prelude into a multiboot image file in {@code dir}. */
    public static Path image(Path dir, String name, String body) throws IOException {
        Backends.assumeAssembler();
        byte[] bin = Gas.assemble(PRELUDE + body, BASE);
        return Files.write(dir.resolve(name + ".mb"), bin);
    }
}
