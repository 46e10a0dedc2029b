package io.jkvm.testkit.suite;

import static io.jkvm.testkit.suite.Guests.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.IoapicState;
import io.jkvm.api.uapi.Irqchip;
import io.jkvm.api.uapi.IrqRoutingEntry;
import io.jkvm.api.uapi.LapicState;
import io.jkvm.api.uapi.PicState;
import io.jkvm.testkit.TestVm;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The in-kernel irqchip: KVM_CREATE_IRQCHIP (§4.24), KVM_IRQ_LINE (§4.25), KVM_GET/SET_IRQCHIP (§4.26–4.27),
 * KVM_SET_GSI_ROUTING (§4.52), KVM_SIGNAL_MSI, KVM_GET/SET_LAPIC. Each delivery test has the guest program
 * its interrupt controller, STI and HLT — HLT then waits inside KVM_RUN — while another thread raises the
 * interrupt; the guest's handler reports its vector with OUT. Misuse is in {@link IrqchipMisuseTest}.
 */
class IrqchipTest {

    /** 32-bit guest: IDT gate for {@code vec}, then {@code setup}, then STI; HLT. The handler OUTs its vector. */
    static String guest(int vec, String setup) {
        return ".code32\n" + IDT32_MACROS + """
                    set_gate32 VEC, handler
                    lidt idtr32
                    movl $0x1ff, 0xfee000f0     # LAPIC SVR: APIC software-enabled, spurious vector 0xff
                SETUP
                    mov $1, %al
                    out %al, $0x10
                    sti
                    hlt
                handler:
                    mov $VEC, %al
                    out %al, $0x11
                    hlt
                """.replace("SETUP", setup).replace("VEC", "0x" + Integer.toHexString(vec)) + IDT32_TABLE;
    }

    static final String PIC_SETUP = """
                movl $0x700, 0xfee00350     # LAPIC LVT0: ExtINT, unmasked: the PIC reaches the CPU
                mov $0x11, %al
                out %al, $0x20              # ICW1: edge, cascade, ICW4 follows
                mov $0x20, %al
                out %al, $0x21              # ICW2: IRQ0-7 are vectors 0x20-0x27
                mov $0x04, %al
                out %al, $0x21              # ICW3: slave on IRQ2
                mov $0x01, %al
                out %al, $0x21              # ICW4: 8086 mode
                mov $0xf7, %al
                out %al, $0x21              # OCW1: unmask IRQ3 only
            """;

    static final String IOAPIC_SETUP = """
                movl $0x10+2*20, 0xfec00000 # IOREGSEL: redirection entry 20, low dword
                movl $0x31, 0xfec00010      # vector 0x31, fixed, physical, edge, active high, unmasked
                movl $0x10+2*20+1, 0xfec00000
                movl $0, 0xfec00010         # destination: APIC id 0
            """;

    /**
     * Runs the guest to its "ready" OUT, has another thread call {@code raise} 200 ms later (the guest is then
     * halted inside run()), and checks the handler's vector and that the interrupt woke the HLT.
     */
    static void deliver(TestVm t, Vcpu cpu, String guest, int vec, Consumer<Vm> raise) {
        t.loadAsm(guest);
        t.protectedMode(cpu, TestVm.CODE);
        assertEquals(1, expectOut(cpu, PORT_MARK));
        CompletableFuture<Void> raiser = CompletableFuture.runAsync(() -> raise.accept(t.vm),
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
        assertEquals(vec, expectOut(cpu, PORT_HANDLER), "the handler of the vector raised ran");
        raiser.join();
        long esp = cpu.getRegs().rsp();
        long afterHlt = offsetOf(guest, TestVm.CODE, 0xfb, 0xf4) + 2;  // STI; HLT
        assertEquals(afterHlt, t.u32(esp) & 0xffffffffL, "the interrupt arrived while the guest was halted");
        assertEquals(TestVm.SEL_CODE32, t.u32(esp + 4));
    }

    static TestVm vmWithIrqchip(String backend) {
        TestVm t = vm(backend);
        try {
            assumeCap(t.kvm, Cap.KVM_CAP_IRQCHIP);
        } catch (RuntimeException skipped) {
            t.close();
            throw skipped;
        }
        t.vm.createIrqchip();
        return t;
    }

    /**
     * An interrupt raised while the guest spins in a loop of a few blocks (no HLT): it is taken at an
     * instruction boundary inside the loop. (On the java backend such a loop runs inside compiled code once
     * it is hot; the interrupt must still get through.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void irqLineReachesAGuestSpinningInALoop(String backend) {
        String guest = ".code32\n" + IDT32_MACROS + """
                    set_gate32 0x23, handler
                    lidt idtr32
                    movl $0x1ff, 0xfee000f0
                SETUP
                    mov $1, %al
                    out %al, $0x10
                    sti
                loop:
                    inc %ebx
                    test $1, %bl
                    jz 2f
                    add $3, %ecx
                2:  jmp loop
                handler:
                    mov $0x23, %al
                    out %al, $0x11
                    hlt
                """.replace("SETUP", PIC_SETUP) + IDT32_TABLE;
        try (TestVm t = vmWithIrqchip(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(guest);
            t.protectedMode(cpu, TestVm.CODE);
            assertEquals(1, expectOut(cpu, PORT_MARK));
            CompletableFuture<Void> raiser = CompletableFuture.runAsync(() -> {
                t.vm.irqLine(3, 1);
                t.vm.irqLine(3, 0);
            }, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
            assertEquals(0x23, expectOut(cpu, PORT_HANDLER), "the handler ran");
            raiser.join();
            long esp = cpu.getRegs().rsp();
            long loop = offsetOf(guest, TestVm.CODE, 0xfb, 0x43) + 1;           // STI; INC EBX
            long ret = t.u32(esp) & 0xffffffffL;
            assertTrue(ret >= loop && ret < loop + 11, "interrupted inside the loop, at " + Long.toHexString(ret));
            assertTrue(cpu.getRegs().rbx() > 0, "the loop ran");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void irqLineThroughThePic(String backend) {
        try (TestVm t = vmWithIrqchip(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            deliver(t, cpu, guest(0x23, PIC_SETUP), 0x23, vm -> {
                vm.irqLine(3, 1);  // edge-triggered: 1 then 0
                vm.irqLine(3, 0);
            });
            PicState master = (PicState) t.vm.getIrqchip(Irqchip.KVM_IRQCHIP_PIC_MASTER).chip();
            assertEquals(0x20, master.irq_base(), "ICW2 as the guest wrote it");
            assertEquals(0xf7, master.imr(), "OCW1 as the guest wrote it");
            assertEquals(1 << 3, master.isr(), "IRQ3 in service: the handler sent no EOI");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void irqLineThroughTheIoapic(String backend) {
        try (TestVm t = vmWithIrqchip(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            // GSI 16-23 reach only the IOAPIC (GSI 0-15 also drive the PIC, whose default vectors are 0-7).
            deliver(t, cpu, guest(0x31, IOAPIC_SETUP), 0x31, vm -> {
                vm.irqLine(20, 1);
                vm.irqLine(20, 0);
            });
            IoapicState io = (IoapicState) t.vm.getIrqchip(Irqchip.KVM_IRQCHIP_IOAPIC).chip();
            assertEquals(0x31, io.redirtbl()[20], "redirection entry 20 as the guest wrote it");
            assertEquals(0xfec00000L, io.base_address());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void gsiRoutedToAnMsi(String backend) {
        try (TestVm t = vmWithIrqchip(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            // MSI address 0xfee00000: destination APIC id 0, physical; data: vector 0x32, fixed, edge.
            assumeCap(t.kvm, Cap.KVM_CAP_IRQ_ROUTING);
            t.vm.setGsiRouting(List.of(IrqRoutingEntry.msi(24, 0xfee00000L, 0x32)));
            deliver(t, cpu, guest(0x32, ""), 0x32, vm -> vm.irqLine(24, 1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void signalMsi(String backend) {
        try (TestVm t = vmWithIrqchip(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            assumeCap(t.kvm, Cap.KVM_CAP_SIGNAL_MSI);
            deliver(t, cpu, guest(0x33, ""), 0x33, vm -> assertEquals(1, vm.signalMsi(0xfee00000L, 0x33), "delivered to one vCPU"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void irqchipStateRoundTrip(String backend) {
        try (TestVm t = vmWithIrqchip(backend)) {
            Vm vm = t.vm;
            int[] m = ((PicState) vm.getIrqchip(0).chip()).toArray();
            m[2] = 0xfb;      // imr
            m[5] = 0x20;      // irq_base
            m[14] = 0x08;     // elcr: IRQ3 level-triggered
            PicState master = PicState.fromArray(m);
            vm.setIrqchip(new Irqchip(Irqchip.KVM_IRQCHIP_PIC_MASTER, master));
            int[] s = ((PicState) vm.getIrqchip(1).chip()).toArray();
            s[2] = 0x7f;
            s[5] = 0x28;
            PicState slave = PicState.fromArray(s);
            vm.setIrqchip(new Irqchip(Irqchip.KVM_IRQCHIP_PIC_SLAVE, slave));
            IoapicState io = (IoapicState) vm.getIrqchip(2).chip();
            long[] redir = io.redirtbl();
            redir[3] = 0x0100_0000_0001_0035L;  // masked, vector 0x35, destination 1
            redir[7] = 0x0000_0000_0001_a041L;  // masked, level, active low, vector 0x41
            IoapicState ioapic = new IoapicState(io.base_address(), 5, 3, 0, 0, redir);
            vm.setIrqchip(new Irqchip(Irqchip.KVM_IRQCHIP_IOAPIC, ioapic));

            assertEquals(master, vm.getIrqchip(0).chip());
            assertEquals(slave, vm.getIrqchip(1).chip());
            assertEquals(ioapic, vm.getIrqchip(2).chip());
            assertEquals(Irqchip.KVM_IRQCHIP_IOAPIC, vm.getIrqchip(2).chip_id());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void lapicStateRoundTrip(String backend) {
        try (TestVm t = vmWithIrqchip(backend); Vcpu cpu0 = t.vm.createVcpu(0); Vcpu cpu1 = t.vm.createVcpu(1)) {
            assertEquals(0, cpu0.getLapic().reg(0x20) >>> 24, "APIC ID of vCPU 0");
            assertEquals(1, cpu1.getLapic().reg(0x20) >>> 24, "APIC ID of vCPU 1 (xAPIC: bits 31:24)");
            byte[] regs = cpu0.getLapic().regs();
            regs[0x80] = 0x20;                           // TPR
            regs[0xf0] = (byte) 0xef;                    // SVR: vector 0xef,
            regs[0xf1] = 1;                              //      APIC software-enabled
            cpu0.setLapic(new LapicState(regs));
            LapicState back = cpu0.getLapic();
            assertEquals(0x20, back.reg(0x80));
            assertEquals(0x1ef, back.reg(0xf0));
        }
    }
}
