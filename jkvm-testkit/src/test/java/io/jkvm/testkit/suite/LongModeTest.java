package io.jkvm.testkit.suite;

import static io.jkvm.testkit.suite.Guests.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.api.x86.Cr;
import io.jkvm.api.x86.Efer;
import io.jkvm.testkit.TestVm;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** 64-bit long mode with 4-level paging: guest accesses through page tables, #PF/#UD through a 64-bit IDT, triple fault, CPL3. */
class LongModeTest {

    /** PTE bits. */
    static final long P = 1, RW = 2, US = 4, A = 1 << 5, D = 1 << 6;
    /** Linear 512 MiB: PD[256] of the identity tables is redirected to a 4 KiB page table. */
    static final long LINEAR_4K = 0x2000_0000L;

    /** Maps LINEAR_4K + 0x0000 and + 0x1000 both to guest-physical 0x3000 through TestVm.PT. */
    static void map4k(TestVm t) {
        t.u64(TestVm.PD + 8 * 256, TestVm.PT | P | RW | US);
        t.u64(TestVm.PT, 0x3000 | P | RW);
        t.u64(TestVm.PT + 8, 0x3000 | P | RW);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void fourLevelPagingTranslatesGuestAccesses(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                        movabs $0x1122334455667788, %rax
                        mov %rax, 0x20000000        # through PT[0] to physical 0x3000
                        mov 0x20001000, %rbx        # PT[1] aliases the same page
                        mov %ebx, %eax
                        out %eax, $0x10
                        shr $32, %rbx
                        mov %ebx, %eax
                        out %eax, $0x10
                        hlt
                    """);
            t.longMode(cpu, TestVm.CODE);
            map4k(t);
            Sregs s = cpu.getSregs();
            assertEquals(Efer.EFER_LME | Efer.EFER_LMA, s.efer() & (Efer.EFER_LME | Efer.EFER_LMA), "EFER.LME+LMA");
            assertEquals(1, s.cs().l(), "CS.L: 64-bit code");
            assertNotEquals(0, s.cr0() & Cr.X86_CR0_PG);
            assertNotEquals(0, s.cr4() & Cr.X86_CR4_PAE);

            assertEquals(0x55667788, expectOut(cpu, PORT_MARK, 4));
            assertEquals(0x11223344, expectOut(cpu, PORT_MARK, 4));
            runTo(VcpuExit.Hlt.class, cpu);
            assertEquals(0x1122334455667788L, t.u64(0x3000), "the write landed at the physical page the PTE names");
            // The guest's MMU sets Accessed on every PTE it uses and Dirty on the one it wrote through.
            assertEquals(A | D, t.u64(TestVm.PT) & (A | D), "PT[0]: accessed and dirty");
            assertEquals(A, t.u64(TestVm.PT + 8) & (A | D), "PT[1]: accessed, not dirty");
        }
    }

    static final String PAGE_FAULT = IDT64_MACROS + """
                set_gate64 14, pf
                lidt idtr64(%rip)
                lea fault(%rip), %rax
                out %eax, $0x10
            fault:
                movl $1, 0x40000000             # PDPT[1] is not present
                hlt
            pf:                                 # frame: error code, RIP, CS, RFLAGS, RSP, SS
                mov (%rsp), %rax
                out %eax, $0x11
                mov 8(%rsp), %rax
                out %eax, $0x11
                mov 16(%rsp), %rax
                out %eax, $0x11
                mov %cr2, %rax
                out %eax, $0x11
                hlt
            """ + IDT64_TABLE;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void pageFaultThroughIdt(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(".code64\n" + PAGE_FAULT);
            t.longMode(cpu, TestVm.CODE);
            int fault = expectOut(cpu, PORT_MARK, 4);
            assertEquals(0x2, expectOut(cpu, PORT_HANDLER, 4), "#PF error code: write, not present, supervisor");
            assertEquals(fault, expectOut(cpu, PORT_HANDLER, 4), "saved RIP is the faulting MOV");
            assertEquals(TestVm.SEL_CODE64, expectOut(cpu, PORT_HANDLER, 4), "saved CS");
            assertEquals(0x40000000, expectOut(cpu, PORT_HANDLER, 4), "CR2 holds the faulting linear address");
            runTo(VcpuExit.Hlt.class, cpu);
            assertEquals(0x40000000L, cpu.getSregs().cr2(), "GET_SREGS shows the guest's CR2");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void undefinedOpcodeThroughIdt(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                    """ + IDT64_MACROS + """
                        set_gate64 6, ud
                        lidt idtr64(%rip)
                        lea fault(%rip), %rax
                        out %eax, $0x10
                    fault:
                        ud2
                    ud: mov (%rsp), %rax                # no error code: RIP is on top
                        out %eax, $0x11
                        hlt
                    """ + IDT64_TABLE);
            t.longMode(cpu, TestVm.CODE);
            int fault = expectOut(cpu, PORT_MARK, 4);
            assertEquals(fault, expectOut(cpu, PORT_HANDLER, 4));
            runTo(VcpuExit.Hlt.class, cpu);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void tripleFaultIsShutdown(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                        lidt idtr(%rip)
                        mov $1, %al
                        out %al, $0x10
                        ud2
                        hlt
                    idtr: .word 0
                          .quad 0
                    """);
            t.longMode(cpu, TestVm.CODE);
            assertEquals(1, expectOut(cpu, PORT_MARK));
            runTo(VcpuExit.Shutdown.class, cpu);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void stringPortIo(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                        lea msg(%rip), %rsi
                        mov $7, %rcx
                        mov $0x3f8, %dx
                        cld
                        rep outsb
                        lea buf(%rip), %rdi
                        mov $8, %rcx
                        mov $0x3f9, %dx
                        rep insb
                        mov buf(%rip), %rax
                        out %eax, $0x12
                        shr $32, %rax
                        out %eax, $0x12
                        hlt
                    msg: .ascii "long64!"
                    buf: .quad 0
                    """);
            t.longMode(cpu, TestVm.CODE);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (out.size() < 7) {
                VcpuExit.Io io = runTo(VcpuExit.Io.class, cpu);
                assertTrue(io.isOut());
                assertEquals(0x3f8, io.port());
                assertEquals(1, io.size());
                out.writeBytes(io.data().toArray(ValueLayout.JAVA_BYTE));
            }
            assertEquals("long64!", out.toString());
            int got = 0;
            while (got < 8) {
                VcpuExit.Io io = runTo(VcpuExit.Io.class, cpu);
                assertTrue(io.isIn());
                assertEquals(0x3f9, io.port());
                assertTrue(io.count() >= 1 && io.count() <= 8 - got, "count " + io.count());
                for (int i = 0; i < io.count(); i++) io.data().set(ValueLayout.JAVA_BYTE, i, (byte) (0xa0 + got + i));
                got += io.count();
            }
            assertEquals(0xa3a2a1a0, expectOut(cpu, 0x12, 4));
            assertEquals(0xa7a6a5a4, expectOut(cpu, 0x12, 4));
            runTo(VcpuExit.Hlt.class, cpu);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void userModeCode(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                        mov $1000, %ecx
                        xor %eax, %eax
                    1:  add %ecx, %eax
                        loop 1b
                        out %eax, $0x10         # IOPL 3: a CPL3 OUT exits like any other
                        mov %cs, %ax
                        out %ax, $0x10
                        movq $5, 0x6000
                        out %al, $0x11
                    """);
            t.longMode(cpu, TestVm.CODE);
            t.userMode(cpu);
            assertEquals(3, cpu.getSregs().cs().dpl());
            assertEquals(500500, expectOut(cpu, PORT_MARK, 4));
            assertEquals(TestVm.SEL_UCODE64, expectOut(cpu, PORT_MARK, 2), "CS selector with RPL 3");
            expectOut(cpu, PORT_HANDLER);
            assertEquals(5, t.u64(0x6000), "user write through the user-accessible identity map");
        }
    }
}
