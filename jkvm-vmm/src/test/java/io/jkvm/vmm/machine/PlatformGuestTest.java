package io.jkvm.vmm.machine;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkvm.testkit.Backends;
import io.jkvm.vmm.MachineConfig;
import io.jkvm.vmm.MachineExit;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kvm-unit-tests-style guests for the in-kernel platform (multiboot, serial, isa-debug-exit): the LAPIC timer in
 * one-shot, periodic and TSC-deadline modes, the IOAPIC with an edge (PIT) and a level-triggered (UART) input,
 * and starting an AP with INIT/SIPI. Interrupt handlers never IRET (a nested PVM host cannot emulate IRET at
 * CPL0): a handler that expects another interrupt re-enables interrupts and halts on the same stack.
 */
class PlatformGuestTest {
    @TempDir
    Path dir;

    static java.util.stream.Stream<String> backends() {
        return Backends.all();
    }

    static final MachineExit PASS = new MachineExit.DebugExit(1);

    /** IDT macros and the LAPIC register block shared by the guests. */
    static final String COMMON = """
            .set APIC, 0xfee00000
            .set IOAPIC, 0xfec00000
            .macro gate vec, handler
                mov $\\handler, %eax
                mov %ax, idt + \\vec * 8
                movw $0x10, idt + \\vec * 8 + 2
                movw $0x8e00, idt + \\vec * 8 + 4
                shr $16, %eax
                mov %ax, idt + \\vec * 8 + 6
            .endm
            .macro apic_on
                movl $0x1ff, APIC + 0xf0            # SVR: software enable, spurious vector 0xff
            .endm
            .macro eoi
                movl $0, APIC + 0xb0
            .endm
            .macro pic_off
                mov $0xff, %al
                out %al, $0x21
                out %al, $0xa1
            .endm
            """;

    static final String IDT = """
                .align 8
            idt: .fill 256 * 8, 1, 0
            idt_desc: .word 256 * 8 - 1
                .long idt
            """;

    MachineRun run(String backend, String name, String body, int cpus) throws Exception {
        Backends.assumeAvailable(backend);
        MachineConfig c = MachineConfig.multiboot(backend, 64 << 20, Guests.image(dir, name, COMMON + body + IDT), "jkvm-test");
        if (cpus > 1) c = c.withCpus(cpus);
        return MachineRun.run(c, null);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void apicTimerOneShotCountsDownAndInterrupts(String backend) throws Exception {
        try (MachineRun r = run(backend, "apic-oneshot", """
                    gate 0x40, timer
                    lidt idt_desc
                    pic_off
                    apic_on
                    movl $0xb, APIC + 0x3e0            # divide by 1
                    movl $0x40, APIC + 0x320           # LVT timer: one-shot, vector 0x40
                    movl $2000000, APIC + 0x380        # 2 ms at the 1 GHz bus
                    mov APIC + 0x390, %eax             # current count, twice: it must go down
                    mov %eax, RESULT
                    mov APIC + 0x390, %eax
                    mov %eax, RESULT + 4
                    sti
                1:  hlt
                    jmp 1b
                timer:
                    mov APIC + 0x390, %eax             # one-shot: expired, reads 0
                    mov %eax, RESULT + 8
                    movl $1, RESULT + 12
                    eoi
                    exit 0
                """, 1)) {
            assertEquals(PASS, r.exit(), r.toString());
            int first = r.u32(Guests.RESULT), second = r.u32(Guests.RESULT + 4);
            assertTrue(first > 0 && first <= 2_000_000, "count started below the initial count: " + first);
            assertTrue(second < first, "the count goes down: " + first + " then " + second);
            assertEquals(0, r.u32(Guests.RESULT + 8), "an expired one-shot timer reads 0");
            assertEquals(1, r.u32(Guests.RESULT + 12), "the timer interrupt arrived");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void apicTimerPeriodicInterruptsRepeatedly(String backend) throws Exception {
        try (MachineRun r = run(backend, "apic-periodic", """
                    gate 0x41, timer
                    lidt idt_desc
                    pic_off
                    apic_on
                    movl $0xb, APIC + 0x3e0
                    movl $0x20041, APIC + 0x320        # LVT timer: periodic, vector 0x41
                    movl $1000000, APIC + 0x380        # every 1 ms
                    sti
                1:  hlt
                    jmp 1b
                timer:
                    incl RESULT
                    eoi
                    cmpl $5, RESULT
                    jae 2f
                    sti                                 # wait for the next period on this same frame
                3:  hlt
                    jmp 3b
                2:  movl $0, APIC + 0x380              # stop the timer
                    exit 0
                """, 1)) {
            assertEquals(PASS, r.exit(), r.toString());
            assertEquals(5, r.u32(Guests.RESULT), "five periods, five interrupts");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void tscDeadlineTimer(String backend) throws Exception {
        try (MachineRun r = run(backend, "tsc-deadline", """
                    mov $1, %eax
                    cpuid
                    bt $24, %ecx                        # CPUID.1:ECX.TSC_DEADLINE
                    jc 4f
                    movl $0xdead, RESULT
                    exit 0
                4:  gate 0x42, timer
                    lidt idt_desc
                    pic_off
                    apic_on
                    movl $0x40042, APIC + 0x320        # LVT timer: TSC-deadline, vector 0x42
                    rdtsc
                    add $1000000, %eax                  # a deadline a little in the future
                    adc $0, %edx
                    mov $0x6e0, %ecx
                    wrmsr
                    sti
                1:  hlt
                    jmp 1b
                timer:
                    mov $0x6e0, %ecx                    # the deadline MSR reads 0 once it fired
                    rdmsr
                    mov %eax, RESULT + 4
                    movl $1, RESULT
                    eoi
                    exit 0
                """, 1)) {
            assertEquals(PASS, r.exit(), r.toString());
            if (r.u32(Guests.RESULT) == 0xdead) Backends.skip("backend " + backend + " does not offer the TSC-deadline timer");
            assertEquals(1, r.u32(Guests.RESULT), "the deadline interrupt arrived");
            assertEquals(0, r.u32(Guests.RESULT + 4), "IA32_TSC_DEADLINE is disarmed after it fires");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void ioapicDeliversThePitEdgeInterrupt(String backend) throws Exception {
        try (MachineRun r = run(backend, "ioapic-pit", """
                    gate 0x50, pit
                    lidt idt_desc
                    pic_off
                    apic_on
                    movl $0x10, IOAPIC                  # redirection entry of pin 0: GSI 0 (PIT) in KVM's default routing
                    movl $0x50, IOAPIC + 0x10           # vector 0x50, fixed, physical, edge, unmasked
                    movl $0x11, IOAPIC
                    movl $0, IOAPIC + 0x10              # destination APIC 0
                    mov $0x34, %al                      # PIT counter 0: rate generator
                    out %al, $0x43
                    mov $0xa9, %al                      # 1193 ticks ≈ 1 ms
                    out %al, $0x40
                    mov $0x04, %al
                    out %al, $0x40
                    sti
                1:  hlt
                    jmp 1b
                pit:
                    movl $1, RESULT
                    eoi
                    exit 0
                """, 1)) {
            assertEquals(PASS, r.exit(), r.toString());
            assertEquals(1, r.u32(Guests.RESULT), "the PIT interrupt came through IOAPIC pin 0");
        }
    }

    /** A level-triggered input: remote IRR is set while the interrupt is in service and cleared by the EOI. */
    @ParameterizedTest
    @MethodSource("backends")
    void ioapicLevelTriggeredRemoteIrr(String backend) throws Exception {
        try (MachineRun r = run(backend, "ioapic-level", """
                    gate 0x51, uart
                    lidt idt_desc
                    pic_off
                    apic_on
                    movl $0x18, IOAPIC                  # pin 4 (COM1)
                    movl $0x8051, IOAPIC + 0x10         # vector 0x51, level-triggered, unmasked
                    movl $0x19, IOAPIC
                    movl $0, IOAPIC + 0x10
                    mov $COM1+4, %dx                    # MCR: OUT2 gates the UART's interrupt line
                    mov $0x08, %al
                    out %al, %dx
                    mov $COM1+1, %dx                    # IER: transmitter-empty interrupt, raised at once
                    mov $0x02, %al
                    out %al, %dx
                    sti
                1:  hlt
                    jmp 1b
                uart:
                    movl $0x18, IOAPIC
                    mov IOAPIC + 0x10, %eax
                    mov %eax, RESULT                    # remote IRR (bit 14) set while in service
                    mov $COM1+1, %dx                    # quiet the UART, then EOI
                    xor %al, %al
                    out %al, %dx
                    eoi
                    movl $0x18, IOAPIC
                    mov IOAPIC + 0x10, %eax
                    mov %eax, RESULT + 4                # remote IRR clear after the EOI
                    exit 0
                """, 1)) {
            assertEquals(PASS, r.exit(), r.toString());
            assertNotEquals(0, r.u32(Guests.RESULT) & (1 << 14), "remote IRR while in service");
            // The PVM host re-delivers the vector at the EOI although the VMM lowered the line first (seen
            // in the guest: remote IRR and the LAPIC's IRR bit set again, ISR clear). The 82093AA datasheet
            // and KVM's own ioapic.c clear remote IRR when the line is low, which is what java does.
            assumeTrue(backend.equals("java"), "SKIPPED on " + backend
                    + ": this PVM host re-delivers a lowered level-triggered line at EOI");
            assertEquals(0, r.u32(Guests.RESULT + 4) & (1 << 14), "remote IRR cleared by the EOI");
        }
    }

    /** The BSP starts the AP with INIT and SIPI; the AP's real-mode trampoline at 0x8000 reports its APIC id. */
    @ParameterizedTest
    @MethodSource("backends")
    void initSipiStartsTheAp(String backend) throws Exception {
        try (MachineRun r = run(backend, "smp-start", """
                    mov $trampoline, %esi               # copy the AP's 16-bit code to 0x8000
                    mov $0x8000, %edi
                    mov $(trampoline_end - trampoline), %ecx
                    rep movsb
                    apic_on
                    movl $0x01000000, APIC + 0x310      # ICR high: APIC id 1
                    movl $0x00004500, APIC + 0x300      # INIT, assert
                    movl $0x01000000, APIC + 0x310
                    movl $0x00004608, APIC + 0x300      # SIPI, vector 8: start at 0x8000
                    mov $20000000, %ecx
                1:  cmpl $0x5a, 0x9000                  # wait for the AP's word
                    je 2f
                    pause
                    loop 1b
                    exit 1
                2:  exit 0
                .code16
                trampoline:
                    mov $1, %eax
                    cpuid                               # EBX[31:24] = initial APIC id
                    shr $24, %ebx
                    xor %ax, %ax                        # real mode reaches only the first MiB: report at 0x9000
                    mov %ax, %ds
                    mov %ebx, 0x9004
                    movl $0x5a, 0x9000
                3:  cli
                    hlt
                    jmp 3b
                trampoline_end:
                .code32
                """, 2)) {
            assertEquals(PASS, r.exit(), r.toString());
            assertEquals(0x5a, r.u32(0x9000), "the AP ran its trampoline");
            assertEquals(1, r.u32(0x9004), "on the AP, CPUID reports APIC id 1");
        }
    }

    /**
     * INIT assert, INIT de-assert, SIPI, SIPI sent back to back as Linux's wakeup_secondary_cpu_via_init
     * does, 200 times: every round restarts the AP, which counts its starts.
     * A vCPU must apply the messages in their order — the SIPIs find it waiting for SIPI because the INIT
     * before them put it there — however its thread is scheduled (Linux boots its APs exactly like this).
     */
    @ParameterizedTest
    @MethodSource("backends")
    void initSipiSipiBurstsRestartTheApEveryTime(String backend) throws Exception {
        try (MachineRun r = run(backend, "smp-restart", """
                    mov $trampoline, %esi
                    mov $0x8000, %edi
                    mov $(trampoline_end - trampoline), %ecx
                    rep movsb
                    apic_on
                    xor %ebx, %ebx                      # rounds done
                round:
                    movl $0x01000000, APIC + 0x310
                    movl $0x0000c500, APIC + 0x300      # INIT, level-triggered, assert
                    movl $0x01000000, APIC + 0x310
                    movl $0x00008500, APIC + 0x300      # INIT level de-assert: not an INIT
                    movl $0x01000000, APIC + 0x310
                    movl $0x00004608, APIC + 0x300      # SIPI
                    movl $0x01000000, APIC + 0x310
                    movl $0x00004608, APIC + 0x300      # SIPI again, at once
                    inc %ebx
                    mov $50000000, %ecx
                1:  cmp %ebx, 0x9000                    # the AP's start count reaches the round number
                    je 2f
                    pause
                    loop 1b
                    exit 1
                2:  cmp $200, %ebx
                    jne round
                    exit 0
                .code16
                trampoline:
                    xor %ax, %ax
                    mov %ax, %ds
                    lock incl 0x9000
                3:  cli
                    hlt
                    jmp 3b
                trampoline_end:
                .code32
                """, 2)) {
            assertEquals(PASS, r.exit(), r.toString() + " after " + r.u32(0x9000) + " AP starts");
            assertEquals(200, r.u32(0x9000), "the AP started once per round");
        }
    }
}
