package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.testkit.suite.Guests.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.KvmRun;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.testkit.TestVm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KVM_INTERRUPT (§4.16) without an in-kernel irqchip, with kvm_run's request_interrupt_window,
 * ready_for_interrupt_injection and if_flag (§5): the VMM waits for KVM_EXIT_IRQ_WINDOW_OPEN and injects a
 * vector, which the guest takes through its IDT.
 */
class InterruptWindowTest {

    static final String GUEST = ".code32\n" + IDT32_MACROS + """
                set_gate32 0x30, handler
                lidt idtr32
                mov $1, %al
                out %al, $0x10          # IF = 0 here
                sti
            spin:
                inc %ebx
                jmp spin
            handler:                    # EFLAGS, CS, EIP on the stack
                mov $0x30, %al
                out %al, $0x11
                hlt
            """ + IDT32_TABLE;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void windowOpensAndTheInjectedVectorIsTaken(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(GUEST);
            t.protectedMode(cpu, TestVm.CODE);
            KvmRun run = cpu.kvmRun();
            assertEquals(1, expectOut(cpu, PORT_MARK));
            assertEquals(0, run.if_flag(), "IF is clear before STI");
            assertEquals(0, run.ready_for_interrupt_injection());

            run.request_interrupt_window(1);
            runTo(VcpuExit.IrqWindowOpen.class, cpu);
            assertEquals(1, run.if_flag());
            assertEquals(1, run.ready_for_interrupt_injection());

            run.request_interrupt_window(0);
            cpu.interrupt(0x30);
            assertEquals(0x30, expectOut(cpu, PORT_HANDLER));
            long esp = cpu.getRegs().rsp();
            assertEquals(TestVm.STACK_TOP - 12, esp, "an interrupt frame of EFLAGS, CS, EIP");
            long spin = offsetOf(GUEST, TestVm.CODE, 0xfb, 0x43) + 1;  // just after STI (fb), at INC EBX (43)
            long eip = t.u32(esp) & 0xffffffffL;
            assertTrue(eip >= spin && eip < spin + 4, "interrupted inside the spin loop: " + Long.toHexString(eip));
            assertEquals(TestVm.SEL_CODE32, t.u32(esp + 4));
            assertNotEquals(0, t.u32(esp + 8) & 0x200, "the saved EFLAGS had IF set");
            assertEquals(0, cpu.getRegs().rflags() & 0x200, "an interrupt gate clears IF");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void misuse(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            assertErrno(EINVAL, () -> cpu.interrupt(256));  // a vector is 0..255
        }
    }
}
