package io.jkvm.testkit.fuzz;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.api.uapi.Dtable;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.Segment;
import io.jkvm.api.uapi.Sregs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;

/** A fuzz machine on one backend: runs a case from a fixed CPL3 starting state and reports its {@link Outcome}. */
public final class Runner implements AutoCloseable {
    static final long GS_BASE = 0x100;

    private final Kvm kvm;
    private final Vm vm;
    private final Vcpu cpu;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ram;
    private final Mode mode;
    private final Sregs user;
    public final String backend;
    private final CpuidEntry2 leaf0;

    public Runner(String backend, Mode mode) {
        this(backend, mode, null);
    }

    /**
     * A runner whose CPUID vendor string is {@code vendorOf}'s (null: its own): the java backend makes the
     * vendor's choice where the manuals leave one (see CpuidTable.amd), so it copies the reference host's.
     */
    public Runner(String backend, Mode mode, Runner vendorOf) {
        this.backend = backend;
        this.mode = mode;
        this.kvm = Kvm.open(backend);
        this.vm = kvm.createVm();
        this.ram = arena.allocate(Layout.RAM, 4096);
        vm.setUserMemoryRegion(0, 0, 0, ram);
        this.cpu = vm.createVcpu(0);
        List<CpuidEntry2> cpuid = kvm.getSupportedCpuid();
        this.leaf0 = cpuid.stream().filter(e -> e.function() == 0).findFirst().orElseThrow();
        if (vendorOf != null) {
            CpuidEntry2 v = vendorOf.leaf0;
            cpuid = cpuid.stream().map(e -> e.function() != 0 ? e : e.withRegs(e.eax(), v.ebx(), v.ecx(), v.edx()))
                    .toList();
        }
        cpu.setCpuid2(cpuid);
        Layout.build(ram, mode);
        this.user = userSregs(cpu.getSregs());
    }

    private Sregs userSregs(Sregs s) {
        boolean m64 = mode == Mode.LONG;
        Segment code = m64 ? new Segment(0, 0xffffffff, Layout.SEL_UCODE64, 0xb, 1, 3, 0, 1, 1, 1, 0, 0, 0)
                : new Segment(0, 0xffffffff, Layout.SEL_UCODE32, 0xb, 1, 3, 1, 1, 0, 1, 0, 0, 0);
        Segment data = new Segment(0, 0xffffffff, Layout.SEL_UDATA, 0x3, 1, 3, 1, 1, 0, 1, 0, 0, 0);
        Segment tr = new Segment(Layout.TSS, 0x67, Layout.SEL_TSS, 0xb, 1, 0, 0, 0, 0, 0, 0, 0, 0);
        // long mode: DS ES FS GS hold null selectors, as in a Linux process (PVM runs the code with the host's
        // real segment registers, and x87 FDS records them)
        Segment nul = m64 ? new Segment(0, 0xffffffff, 0, 0x3, 1, 3, 1, 1, 0, 1, 0, 0, 0) : data;
        return s.with(b -> {
            b.cs = code;
            b.ss = data;
            b.ds = b.es = b.fs = nul;
            b.gs = m64 ? nul.withBase(GS_BASE) : data;
            b.tr = tr;
            b.gdt = new Dtable(Layout.GDT, 0x4f);
            b.idt = new Dtable(Layout.IDT, Layout.IDT_ENTRIES * 16 - 1);
            b.cr0 = 0x80050033L;                              // PG WP NE ET MP PE
            b.cr3 = Layout.PML4;
            b.cr4 = 0x40620;                                  // PAE OSFXSR OSXMMEXCPT OSXSAVE
            b.efer = 0xd01;                                   // SCE LME LMA NXE: 32-bit code runs in compatibility mode
        });
    }

    /** The initial GPRs of a case (encoding order), from its seed: pointers into the data pages, the rest random. */
    static long[] initialGprs(FuzzCase fc) {
        SplittableRandom r = new SplittableRandom(fc.stateSeed());
        long[] g = new long[16];
        for (int k = 0; k < 16; k++) g[k] = r.nextInt(4) == 0 ? r.nextInt(64) : r.nextLong();
        if (fc.mode() == Mode.PROT32) for (int k = 0; k < 16; k++) g[k] &= 0xffffffffL;
        for (int k : new int[] {3, 5, 6, 7}) g[k] = Layout.DATA + 0x100 + 16L * r.nextInt(0x1d0);   // 16-aligned: CMPXCHG16B
        g[4] = Layout.STACK_TOP;
        return g;
    }

    static long initialFlags(FuzzCase fc) {
        SplittableRandom r = new SplittableRandom(~fc.stateSeed());
        // IOPL 0: PVM runs user code with IOPL 0 whatever RFLAGS says, so CPL3 I/O and CLI/STI fault on both
        return 0x202L | (r.nextInt() & Flags.ALL) | (r.nextInt(4) == 0 ? 0x400 : 0);
    }

    static byte[] initialData(FuzzCase fc) {
        byte[] d = new byte[(int) Layout.DATA_SIZE];
        new SplittableRandom(fc.stateSeed() * 31 + 7).nextBytes(d);
        return d;
    }

    private static final int[] KVM_ORDER = {0, 3, 1, 2, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};

    private static Regs toRegs(long[] enc, long rip, long rflags) {
        long[] k = new long[18];
        for (int i = 0; i < 16; i++) k[i] = enc[KVM_ORDER[i]];
        k[16] = rip;
        k[17] = rflags;
        return Regs.fromArray(k);
    }

    private static long[] fromRegs(Regs r) {
        long[] k = r.toArray(), enc = new long[16];
        for (int i = 0; i < 16; i++) enc[KVM_ORDER[i]] = k[i];
        return enc;
    }

    public Outcome run(FuzzCase fc) {
        MemorySegment.copy(fc.code(), 0, ram, ValueLayout.JAVA_BYTE, Layout.CODE, fc.code().length);
        ram.asSlice(Layout.CODE + fc.code().length, 0x1000 - fc.code().length).fill((byte) 0xcc);
        MemorySegment.copy(initialData(fc), 0, ram, ValueLayout.JAVA_BYTE, Layout.DATA, (int) Layout.DATA_SIZE);
        ram.asSlice(Layout.STACK, 0x1000).fill((byte) 0);
        ram.asSlice(Layout.KSTACK_TOP - 0x100, 0x100).fill((byte) 0);
        cpu.setSregs(user);
        cpu.setXcrs(io.jkvm.api.uapi.Xcrs.of(new io.jkvm.api.uapi.Xcr(0, 3)));   // XCR0 = x87 | SSE, as Linux sets it
        cpu.setRegs(toRegs(initialGprs(fc), Layout.CODE, initialFlags(fc)));
        if (mode == Mode.LONG) cpu.setXsave(FpuStates.toXsave(FpuStates.initial(fc)));
        // a case that never ends (a wrong instruction length can turn code into a loop) is kicked out
        java.util.concurrent.ScheduledFuture<?> dog = WATCHDOG.schedule(cpu::kick, 2, java.util.concurrent.TimeUnit.SECONDS);
        try {
            return runCase();
        } finally {
            dog.cancel(false);
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fuzz-watchdog");
                t.setDaemon(true);
                return t;
            });

    private Outcome runCase() {
        for (int guard = 0; guard < 16; guard++) {
            VcpuExit e = cpu.run();
            switch (e) {
                case VcpuExit.Io io when io.port() >= Layout.EXC_PORT && io.port() < Layout.EXC_PORT + Layout.IDT_ENTRIES -> {
                    return exception(io.port() - Layout.EXC_PORT);
                }
                case VcpuExit.Mmio m when m.phys_addr() == Layout.END_ADDR -> {
                    Regs r = cpu.getRegs();
                    long[] g = fromRegs(r);
                    return new Outcome(Outcome.END, -1, 0, false, r.rip() - Layout.CODE, r.rflags(), g[4], 0, g, memory(), "", fpu());
                }
                case VcpuExit.Intr i -> {
                    return new Outcome(Outcome.OTHER, -1, 0, false, 0, 0, 0, 0, new long[16], memory(),
                            "no end within 2 s", fpu());
                }
                default -> {
                    Regs r = cpu.getRegs();
                    return new Outcome(Outcome.OTHER, -1, 0, false, r.rip() - Layout.CODE, r.rflags(), r.rsp(), 0,
                            fromRegs(r), memory(), e.name() + switch (e) {
                                case VcpuExit.Io io -> " port " + io.port();
                                case VcpuExit.Mmio m -> String.format(" %s %#x len %d", m.is_write() ? "write" : "read", m.phys_addr(), m.len());
                                default -> "";
                            }, fpu());
                }
            }
        }
        return new Outcome(Outcome.OTHER, -1, 0, false, 0, 0, 0, 0, new long[16], memory(), "no end after 16 exits", fpu());
    }

    private Outcome exception(int vector) {
        Regs r = cpu.getRegs();
        long[] g = fromRegs(r);
        long cr2 = vector == 14 ? cpu.getSregs().cr2() : 0;
        long top = Layout.KSTACK_TOP;
        boolean m64 = true;                                   // IA-32e frames in both modes
        int w = 8;
        long frameTop = top - 5L * w;                         // RIP slot
        boolean hasErr = (r.rsp() & (m64 ? -1L : 0xffffffffL)) == frameTop - w;
        long rip = read(frameTop, w), rflags = read(frameTop + 2L * w, w), rsp = read(frameTop + 3L * w, w);
        long err = hasErr ? read(frameTop - w, w) & 0xffffffffL : 0;
        String kind = vector == 14 && cr2 == Layout.END_ADDR ? Outcome.END : Outcome.EXCEPTION;
        return new Outcome(kind, vector, err, hasErr, rip - Layout.CODE, rflags, rsp, cr2, g, memory(), "", fpu());
    }

    /** The x87/SSE state (long mode, where the generator produces x87 and SIMD code), else null. */
    private io.jkvm.api.uapi.Fpu fpu() {
        return mode == Mode.LONG ? FpuStates.fromXsave(cpu.getXsave()) : null;
    }

    private long read(long a, int w) {
        return w == 8 ? ram.get(ValueLayout.JAVA_LONG_UNALIGNED, a) : ram.get(ValueLayout.JAVA_INT_UNALIGNED, a) & 0xffffffffL;
    }

    private byte[] memory() {
        byte[] m = new byte[(int) Layout.DATA_SIZE + 0x1000];
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, Layout.DATA, m, 0, (int) Layout.DATA_SIZE);
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, Layout.STACK, m, (int) Layout.DATA_SIZE, 0x1000);
        return m;
    }

    @Override
    public void close() {
        vm.close();
        kvm.close();
        arena.close();
    }
}
