package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.api.uapi.Fpu;
import io.jkvm.api.uapi.Xcr;
import io.jkvm.api.uapi.Xcrs;
import io.jkvm.api.uapi.Xsave;
import io.jkvm.api.x86.Cr;
import io.jkvm.testkit.TestVm;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** KVM_GET/SET_FPU (§4.22–4.23), KVM_GET/SET_XSAVE (§4.42–4.43), KVM_GET/SET_XCRS (§4.44–4.45). */
class FpuXsaveTest {

    /** Byte offsets in the XSAVE image (SDM Vol. 1 §13.4). */
    static final int FCW = 0, MXCSR = 24, XMM0 = 160, XSTATE_BV = 512;
    static final long XFEATURE_FP = 1, XFEATURE_SSE = 2, XFEATURE_YMM = 4;

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (seed + 7 * i);
        return b;
    }

    static byte[] bytes(Xsave x) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(x.region());
        return b.array();
    }

    static Xsave xsave(byte[] image) {
        int[] r = new int[1024];
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(r);
        return new Xsave(r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void fpuRoundTrip(String backend) {
        try (Kvm kvm = kvm(backend); var vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            assertEquals(0x37f, cpu.getFpu().fcw(), "FCW after reset");
            byte[] fpr = new byte[128];
            for (int i = 0; i < 8; i++) System.arraycopy(pattern(10, 16 * i), 0, fpr, 16 * i, 10);  // 80-bit ST(i)
            Fpu set = new Fpu(fpr, 0x27f, 0x3800, 0xff, 0x1d9, 0x401000, 0x402000, pattern(256, 3), 0x1fa0);
            cpu.setFpu(set);
            // Linux's KVM_GET_FPU/KVM_SET_FPU do not carry MXCSR (kvm_arch_vcpu_ioctl_get_fpu never copies it):
            // it reads back 0. Everything else round-trips.
            Fpu expected = new Fpu(set.fpr(), set.fcw(), set.fsw(), set.ftwx(), set.last_opcode(), set.last_ip(),
                    set.last_dp(), set.xmm(), 0);
            assertEquals(expected, cpu.getFpu());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void xsaveRoundTripAndFpuView(String backend) {
        try (Kvm kvm = kvm(backend); var vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            byte[] img = bytes(cpu.getXsave());
            ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort(FCW, (short) 0x27f);
            b.putInt(MXCSR, 0x1fa0);
            System.arraycopy(pattern(256, 5), 0, img, XMM0, 256);
            b.putLong(XSTATE_BV, b.getLong(XSTATE_BV) | XFEATURE_FP | XFEATURE_SSE);
            cpu.setXsave(xsave(img));

            byte[] back = bytes(cpu.getXsave());
            ByteBuffer r = ByteBuffer.wrap(back).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x27f, r.getShort(FCW) & 0xffff);
            assertEquals(0x1fa0, r.getInt(MXCSR));
            assertArrayEquals(pattern(256, 5), Arrays.copyOfRange(back, XMM0, XMM0 + 256));
            assertEquals(XFEATURE_FP | XFEATURE_SSE, r.getLong(XSTATE_BV) & (XFEATURE_FP | XFEATURE_SSE));

            Fpu fpu = cpu.getFpu();
            assertEquals(0x27f, fpu.fcw(), "KVM_GET_FPU reads the same state");
            assertArrayEquals(pattern(256, 5), fpu.xmm());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void guestSeesXsaveStateAndItsWritesAreRead(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            assumeCpuid1Edx(t.kvm, 25, "SSE");
            // CPL3: on a PVM host, SSE at CPL0 is not emulated, while CPL3 code runs natively.
            t.loadAsm("""
                    .code64
                        movq %xmm1, %rax
                        out %eax, $0x10
                        shr $32, %rax
                        out %eax, $0x10
                        movabs $0x0badf00d12345678, %rax
                        movq %rax, %xmm2
                        fnstcw 0x6000
                        out %al, $0x11
                    """);
            t.longMode(cpu, TestVm.CODE);
            cpu.setSregs(cpu.getSregs().with(s -> s.cr4 |= Cr.X86_CR4_OSFXSR | Cr.X86_CR4_OSXMMEXCPT));
            t.userMode(cpu);
            byte[] img = bytes(cpu.getXsave());
            ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort(FCW, (short) 0x27f);
            b.putInt(MXCSR, 0x1f80);
            b.putLong(XMM0 + 16, 0x1122334455667788L);  // XMM1
            b.putLong(XSTATE_BV, b.getLong(XSTATE_BV) | XFEATURE_FP | XFEATURE_SSE);
            cpu.setXsave(xsave(img));

            assertEquals(0x55667788, expectOut(cpu, 0x10, 4));
            assertEquals(0x11223344, expectOut(cpu, 0x10, 4));
            expectOut(cpu, 0x11);
            assertEquals(0x27f, t.u32(0x6000) & 0xffff, "the guest's FCW is the one set");
            ByteBuffer after = ByteBuffer.wrap(bytes(cpu.getXsave())).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x0badf00d12345678L, after.getLong(XMM0 + 32), "XMM2 as the guest left it (GET_XSAVE)");
            assertEquals(0x0badf00d12345678L, ByteBuffer.wrap(cpu.getFpu().xmm(2)).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                    "XMM2 as the guest left it (GET_FPU)");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void xcrsRoundTrip(String backend) {
        try (Kvm kvm = kvm(backend); var vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            assumeCpuid1Edx(kvm, 25, "SSE");
            assertEquals(XFEATURE_FP, cpu.getXcrs().value(0), "XCR0 after reset: x87 only");
            // The XCR0 bits a guest may set come from its CPUID leaf 0xD: without SET_CPUID2, only x87.
            assertErrno(EINVAL, () -> cpu.setXcrs(Xcrs.of(new Xcr(0, XFEATURE_FP | XFEATURE_SSE))));
            List<CpuidEntry2> cpuid = kvm.getSupportedCpuid();
            cpu.setCpuid2(cpuid);
            cpu.setXcrs(Xcrs.of(new Xcr(0, XFEATURE_FP | XFEATURE_SSE)));
            assertEquals(XFEATURE_FP | XFEATURE_SSE, cpu.getXcrs().value(0));
            long supported = cpuid.stream().filter(e -> e.matches(0xd, 0)).mapToLong(e -> e.eax() & 0xffffffffL).findFirst().orElse(0);
            if ((supported & XFEATURE_YMM) != 0) {
                cpu.setXcrs(Xcrs.of(new Xcr(0, XFEATURE_FP | XFEATURE_SSE | XFEATURE_YMM)));
                assertEquals(XFEATURE_FP | XFEATURE_SSE | XFEATURE_YMM, cpu.getXcrs().value(0));
            }
            Xcrs got = cpu.getXcrs();
            assertEquals(0, got.flags());
            assertEquals(got.xcrs().size(), got.nr_xcrs());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void misuse(String backend) {
        try (Kvm kvm = kvm(backend); var vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            cpu.setCpuid2(kvm.getSupportedCpuid());
            assertErrno(EINVAL, () -> cpu.setXcrs(Xcrs.of(new Xcr(0, XFEATURE_SSE))));              // x87 bit clear
            assertErrno(EINVAL, () -> cpu.setXcrs(Xcrs.of(new Xcr(0, XFEATURE_FP | XFEATURE_YMM)))); // AVX without SSE
            assertErrno(EINVAL, () -> cpu.setXcrs(new Xcrs(1, 1, List.of(new Xcr(0, 3)))));         // flags
            assertErrno(EINVAL, () -> cpu.setXcrs(new Xcrs(Xcrs.KVM_MAX_XCRS + 1, 0, List.of(new Xcr(0, 3)))));
            byte[] img = bytes(cpu.getXsave());
            ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).putLong(XSTATE_BV, 1L << 62);  // no such feature
            assertErrno(EINVAL, () -> cpu.setXsave(xsave(img)));
        }
    }
}
