package io.jkvm.testkit.suite;

import static io.jkvm.api.x86.Msr.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.testkit.TestVm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SYSCALL / SYSRETQ (and SYSENTER / SYSEXITQ) in long mode, the way Linux uses them: user code at CPL3 calls into a handler at a
 * kernel-half address (LSTAR above 4 GiB), which must run in 64-bit mode (L=1) at CPL0 with CS/SS from
 * STAR[47:32], RCX/R11 holding the return RIP and RFLAGS, and SFMASK applied; SYSRETQ returns to 64-bit
 * CPL3 code with CS = STAR[63:48] + 16, SS = STAR[63:48] + 8 (RPL 3).
 */
class SyscallTest {
    /** The identity map also appears at the kernel half: PML4[511] → PDPT[510] → the same PD. */
    static final long KERNEL_HALF = 0xffff_ffff_8000_0000L, PDPT_HIGH = 0xD000;

    static final String GUEST = """
            .code64
                mov $0x1234, %rdi
                pushf
                orq $0x400, (%rsp)                   # DF set before the call: SFMASK must clear it
                popf
                syscall
            back:
                out %eax, $0x10                      # the handler's values: low and high half of RAX
                shr $32, %rax
                out %eax, $0x10
                mov %rdx, %rax                       # the handler's own RIP (RIP-relative LEA): kernel half
                shr $32, %rax
                out %eax, $0x11
                mov %rbx, %rax                       # RCX seen by the handler: the return address
                out %eax, $0x12
                lea back(%rip), %rax
                out %eax, $0x12
                mov %rsi, %rax                       # CS and SS seen by the handler
                out %eax, $0x13
                mov %rbp, %rax                       # RFLAGS in the handler (DF must be clear)
                out %eax, $0x14
                mov %cs, %eax                        # back at CPL3 in 64-bit mode
                out %eax, $0x15
                mov %ss, %eax
                out %eax, $0x15
                movabs $0x8877665544332211, %r8      # decodes as intended only in 64-bit mode
                mov %r8, %rax
                shr $32, %rax
                out %eax, $0x16
            1:  jmp 1b
                .org 0x100
            handler:
                movabs $0x1122334455667788, %rax
                mov %rcx, %rbx
                lea handler(%rip), %rdx
                mov %cs, %esi
                mov %ss, %ecx
                shl $16, %esi
                or %ecx, %esi
                pushf
                pop %rbp
                mov %rbx, %rcx
                sysretq
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void syscallEntersSixtyFourBitKernelCodeAndSysretqReturns(String backend) {
        // Seen on PVM: SYSCALL from CPL3 moves RIP to LSTAR but leaves CS at the user's 0x33, so the first
        // fetch of the supervisor-only handler page faults — PVM expects its own paravirtual entry protocol.
        skipOnPvm(backend, "SYSCALL into a non-PVM kernel entry (CS stays at CPL3)");
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(GUEST);
            t.longMode(cpu, TestVm.CODE);
            t.u64(TestVm.PML4 + 511 * 8, PDPT_HIGH | 0x3);           // supervisor-only kernel half
            t.u64(PDPT_HIGH + 510 * 8, TestVm.PD | 0x3);
            t.userMode(cpu);
            cpu.setMsrs(new MsrEntry(MSR_STAR, (0x20L << 48) | (0x08L << 32)),
                    new MsrEntry(MSR_LSTAR, KERNEL_HALF + TestVm.CODE + 0x100),
                    new MsrEntry(MSR_SYSCALL_MASK, 0x400));
            assertEquals(0x55667788, expectOut(cpu, 0x10, 4));
            assertEquals(0x11223344, expectOut(cpu, 0x10, 4), "64-bit MOVABS in the handler");
            assertEquals(0xffffffff, expectOut(cpu, 0x11, 4), "the handler ran at its kernel-half address");
            int rcx = expectOut(cpu, 0x12, 4);
            assertEquals(expectOut(cpu, 0x12, 4), rcx, "RCX = the instruction after SYSCALL");
            assertEquals((0x08 << 16) | 0x10, expectOut(cpu, 0x13, 4), "CS:SS from STAR[47:32]");
            assertEquals(0, expectOut(cpu, 0x14, 4) & 0x400, "SFMASK cleared DF");
            assertEquals(0x33, expectOut(cpu, 0x15, 4) & 0xffff, "CS after SYSRETQ");
            assertEquals(0x2b, expectOut(cpu, 0x15, 4) & 0xffff, "SS after SYSRETQ");
            assertEquals(0x88776655, expectOut(cpu, 0x16, 4), "user code runs in 64-bit mode again");
        }
    }

    static final String SYSENTER_GUEST = """
            .code64
                lea back(%rip), %rdx                 # SYSEXITQ returns to RDX with RSP = RCX
                mov %rsp, %rcx
                sysenter
            back:
                out %eax, $0x10
                shr $32, %rax
                out %eax, $0x10
                mov %rbx, %rax
                shr $32, %rax
                out %eax, $0x11
                mov %rsi, %rax
                out %eax, $0x13
                mov %cs, %eax
                out %eax, $0x15
                mov %ss, %eax
                out %eax, $0x15
                movabs $0x8877665544332211, %r8
                mov %r8, %rax
                shr $32, %rax
                out %eax, $0x16
            1:  jmp 1b
                .org 0x100
            handler:
                movabs $0x1122334455667788, %rax
                lea handler(%rip), %rbx
                mov %cs, %esi
                mov %ss, %edi
                shl $16, %esi
                or %edi, %esi
                rex64 sysexit
            """;

    /** SYSENTER / SYSEXITQ in long mode: CS = SYSENTER_CS (64-bit), SS = +8; back with CS = +32, SS = +40. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void sysenterEntersSixtyFourBitCodeAndSysexitqReturns(String backend) {
        skipOnPvm(backend, "SYSENTER into a non-PVM kernel entry");
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(SYSENTER_GUEST);
            t.longMode(cpu, TestVm.CODE);
            t.u64(TestVm.PML4 + 511 * 8, PDPT_HIGH | 0x3);
            t.u64(PDPT_HIGH + 510 * 8, TestVm.PD | 0x3);
            t.userMode(cpu);
            cpu.setMsrs(new MsrEntry(MSR_IA32_SYSENTER_CS, 0x10),
                    new MsrEntry(MSR_IA32_SYSENTER_EIP, KERNEL_HALF + TestVm.CODE + 0x100),
                    new MsrEntry(MSR_IA32_SYSENTER_ESP, KERNEL_HALF + 0x7000));
            assertEquals(0x55667788, expectOut(cpu, 0x10, 4));
            assertEquals(0x11223344, expectOut(cpu, 0x10, 4), "64-bit MOVABS in the handler");
            assertEquals(0xffffffff, expectOut(cpu, 0x11, 4), "the handler ran at its kernel-half address");
            assertEquals((0x10 << 16) | 0x18, expectOut(cpu, 0x13, 4), "CS:SS from SYSENTER_CS");
            assertEquals(0x33, expectOut(cpu, 0x15, 4) & 0xffff, "CS after SYSEXITQ");
            assertEquals(0x3b, expectOut(cpu, 0x15, 4) & 0xffff, "SS after SYSEXITQ");
            assertEquals(0x88776655, expectOut(cpu, 0x16, 4), "user code runs in 64-bit mode again");
        }
    }
}
