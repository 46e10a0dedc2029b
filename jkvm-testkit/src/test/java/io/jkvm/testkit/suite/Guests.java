package io.jkvm.testkit.suite;

/**
 * GNU as snippets shared by the suite's guests: an IDT the guest fills itself. Put {@code *_MACROS} before
 * the code and {@code *_TABLE} after it; the code then says {@code set_gate32 0x30, handler} and
 * {@code lidt idtr32}. Handlers report with OUT and never IRET (PVM cannot emulate IRET at CPL0; the test
 * reads the interrupt frame from guest memory instead).
 */
final class Guests {
    private Guests() {}

    /** Port the suite's guests write progress markers to, and the port handlers report their vector on. */
    static final int PORT_MARK = 0x10, PORT_HANDLER = 0x11;

    /** 32-bit interrupt gate (type 0xE, DPL0, present) to {@code handler} through code selector 0x18. */
    static final String IDT32_MACROS = """
            .macro set_gate32 vec, handler
                mov $\\handler, %eax
                mov %ax, idt32 + 8*\\vec
                movw $0x18, idt32 + 8*\\vec + 2
                movw $0x8e00, idt32 + 8*\\vec + 4
                shr $16, %eax
                mov %ax, idt32 + 8*\\vec + 6
            .endm
            """;

    static final String IDT32_TABLE = """
            .align 8
            idtr32: .word 256*8-1
                    .long idt32
            .align 8
            idt32:  .fill 256*8, 1, 0
            """;

    /** 64-bit interrupt gate (16 bytes) to {@code handler} through code selector 0x08. */
    static final String IDT64_MACROS = """
            .macro set_gate64 vec, handler
                lea \\handler(%rip), %rax
                mov %ax, idt64 + 16*\\vec
                movw $0x08, idt64 + 16*\\vec + 2
                movw $0x8e00, idt64 + 16*\\vec + 4
                shr $16, %rax
                mov %ax, idt64 + 16*\\vec + 6
                shr $16, %rax
                mov %eax, idt64 + 16*\\vec + 8
            .endm
            """;

    static final String IDT64_TABLE = """
            .align 16
            idtr64: .word 256*16-1
                    .quad idt64
            .align 16
            idt64:  .fill 256*16, 1, 0
            """;
}
