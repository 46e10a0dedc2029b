package io.jkvm.testkit.suite;

import static io.jkvm.testkit.suite.Guests.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.api.x86.Cr;
import io.jkvm.testkit.TestVm;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** 32-bit protected-mode guests (flat segments, paging off): operand sizes, port I/O, exceptions through the IDT, triple fault. */
class ProtectedModeTest {

    static final String PORT_IO = """
            .code32
                mov $0xffffffff, %eax
                inc %eax                # 32-bit wrap-around: EAX = 0
                out %eax, $0x10         # dword OUT
                mov %esp, %eax
                push %eax
                sub %esp, %eax          # a 32-bit stack segment pushes 4 bytes
                out %al, $0x10
                in $0x11, %eax          # dword IN: the test answers 0xcafebabe
                mov %eax, 0x200000      # above 1 MiB: no real-mode wrap
                mov $0x3f8, %dx
                mov $msg, %esi
                mov $3, %ecx
                cld
                rep outsw               # string OUT, 2-byte elements
                mov $buf, %edi
                mov $2, %ecx
                mov $0x3f9, %dx
                rep insw                # string IN, 2-byte elements
                mov buf, %eax
                out %eax, $0x12
                hlt
            msg: .ascii "jkvm32"
            buf: .long 0
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void operandSizesPortIoAndHlt(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(PORT_IO);
            t.protectedMode(cpu, TestVm.CODE);
            Sregs s = cpu.getSregs();
            assertEquals(1, s.cs().db(), "CS.D: 32-bit code");
            assertEquals(Cr.X86_CR0_PE, s.cr0() & (Cr.X86_CR0_PE | Cr.X86_CR0_PG), "CR0: PE without PG");

            assertEquals(0, expectOut(cpu, 0x10, 4));
            assertEquals(4, expectOut(cpu, 0x10, 1));
            VcpuExit.Io in = runTo(VcpuExit.Io.class, cpu);
            assertTrue(in.isIn());
            assertEquals(0x11, in.port());
            assertEquals(4, in.size());
            in.value(0xcafebabe);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (out.size() < 6) {
                VcpuExit.Io io = runTo(VcpuExit.Io.class, cpu);
                assertTrue(io.isOut());
                assertEquals(0x3f8, io.port());
                assertEquals(2, io.size());
                out.writeBytes(io.data().toArray(ValueLayout.JAVA_BYTE));
            }
            assertEquals("jkvm32", out.toString());
            assertEquals(0xcafebabe, t.u32(0x200000), "the IN value, stored by the guest");

            int got = 0;
            while (got < 2) {
                VcpuExit.Io io = runTo(VcpuExit.Io.class, cpu);
                assertTrue(io.isIn());
                assertEquals(0x3f9, io.port());
                assertEquals(2, io.size());
                for (int i = 0; i < io.count(); i++) io.data().set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, (short) (0x1111 * (got + i + 1)));
                got += io.count();
            }
            assertEquals(0x22221111, expectOut(cpu, 0x12, 4));
            runTo(VcpuExit.Hlt.class, cpu);
            assertEquals(offsetOf(PORT_IO, TestVm.CODE, 0xf4) + 1, cpu.getRegs().rip(), "RIP after HLT");
        }
    }

    static final String UD2_HANDLER = IDT32_MACROS + """
                set_gate32 6, handler
                lidt idtr32
                mov $fault, %eax
                out %eax, $0x10         # tell the test where the faulting instruction is
            fault:
                ud2
                hlt
            handler:                    # #UD pushes EFLAGS, CS, EIP (no error code)
                mov (%esp), %eax
                out %eax, $0x11
                mov 4(%esp), %eax
                out %eax, $0x11
                hlt
            """ + IDT32_TABLE;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void exceptionThroughIdt(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(".code32\n" + UD2_HANDLER);
            t.protectedMode(cpu, TestVm.CODE);
            int fault = expectOut(cpu, PORT_MARK, 4);
            assertEquals(fault, expectOut(cpu, PORT_HANDLER, 4), "#UD is a fault: saved EIP is the UD2");
            assertEquals(TestVm.SEL_CODE32, expectOut(cpu, PORT_HANDLER, 4), "saved CS");
            runTo(VcpuExit.Hlt.class, cpu);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void tripleFaultIsShutdown(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            // An empty IDT: #UD cannot be delivered (#GP), nor can #GP (#DF), nor #DF: triple fault.
            t.loadAsm("""
                    .code32
                        lidt idtr
                        mov $1, %al
                        out %al, $0x10
                        ud2
                        hlt
                    idtr: .word 0
                          .long 0
                    """);
            t.protectedMode(cpu, TestVm.CODE);
            assertEquals(1, expectOut(cpu, PORT_MARK));
            runTo(VcpuExit.Shutdown.class, cpu);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void softwareInterruptAndIret(String backend) {
        // Observed on PVM: INT n and IRET at CPL0 end in KVM_EXIT_INTERNAL_ERROR (suberror EMULATION).
        skipOnPvm(backend, "INT n and IRET at CPL0 are not emulated (KVM_EXIT_INTERNAL_ERROR)");
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(".code32\n" + IDT32_MACROS + """
                        set_gate32 0x40, handler
                        lidt idtr32
                        mov $7, %ebx
                        int $0x40
                        mov %ebx, %eax
                        out %eax, $0x10         # back from IRET, with the handler's EBX
                        hlt
                    handler:
                        mov 4(%esp), %eax       # saved CS
                        out %eax, $0x11
                        add $1, %ebx
                        iret
                    """ + IDT32_TABLE);
            t.protectedMode(cpu, TestVm.CODE);
            assertEquals(TestVm.SEL_CODE32, expectOut(cpu, PORT_HANDLER, 4));
            assertEquals(8, expectOut(cpu, PORT_MARK, 4));
            runTo(VcpuExit.Hlt.class, cpu);
            assertEquals(TestVm.STACK_TOP, cpu.getRegs().rsp(), "IRET popped the whole frame");
        }
    }
}
