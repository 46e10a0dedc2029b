package io.jkvm.vmm.snapshot;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.KvmException;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.ClockData;
import io.jkvm.api.uapi.Irqchip;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.api.uapi.PitState2;
import io.jkvm.vmm.Builder;
import io.jkvm.vmm.ConsoleIo;
import io.jkvm.vmm.Machine;
import io.jkvm.vmm.vstate.GuestMemory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Snapshot and restore of a paused machine (Firecracker's {@code persist.rs} + {@code snapshot/}). A snapshot
 * is a directory with two files:
 * <ul>
 *   <li>{@code snapshot.jkvm}: magic {@code "JKVMSNAP"}, format version (u32), length (u64), the
 *       {@link SnapshotState} as {@link RecordCodec} writes it, and the CRC32C of everything before it;</li>
 *   <li>{@code memory.bin}: guest RAM, region after region; its size and CRC32C are in the state.</li>
 * </ul>
 * Restore refuses a file with another magic, another version, a wrong checksum or content this jkvm does not
 * know, naming the file. Files are written under temporary names and renamed, so a crash mid-save never
 * leaves a half snapshot that looks whole.
 */
public final class Snapshot {
    private Snapshot() {}

    public static final String STATE_FILE = "snapshot.jkvm", MEMORY_FILE = "memory.bin";
    public static final byte[] MAGIC = "JKVMSNAP".getBytes(StandardCharsets.US_ASCII);
    /** 2: MachineConfig gained {@code acpi}. */
    public static final int FORMAT_VERSION = 2;

    /** Saves {@code m}, which must be paused ({@link Machine#pause}), into {@code dir} (created if needed). */
    public static void save(Machine m, Path dir) {
        try {
            Files.createDirectories(dir);
            long[] mem = writeMemory(m.memory(), dir.resolve(MEMORY_FILE));
            List<VcpuState> vcpus = new ArrayList<>();
            for (Vcpu v : m.vcpus()) vcpus.add(saveVcpu(m.kvm(), m.vm(), v));
            SnapshotState s = new SnapshotState(m.config(), m.boot(), vcpus, saveVm(m.vm()), m.devices().states(), mem[0], mem[1]);
            writeState(s, dir.resolve(STATE_FILE));
        } catch (IOException e) {
            throw new SnapshotException("snapshot " + dir + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Builds the machine saved in {@code dir}, in the saved state; the caller starts it. */
    public static Machine restore(Path dir, ConsoleIo io) {
        SnapshotState s = readState(dir.resolve(STATE_FILE));
        Path memFile = dir.resolve(MEMORY_FILE);
        int[] ids = s.vcpus().stream().mapToInt(VcpuState::id).toArray();
        return Builder.restore(s.config(), s.boot(), s.devices(), ids, io, new Builder.Restorer() {
            @Override
            public void memory(GuestMemory memory) {
                readMemory(memory, memFile, s.memorySize(), s.memoryCrc32c());
            }

            @Override
            public void vcpu(Vcpu v) {
                restoreVcpu(v, s.vcpus().stream().filter(x -> x.id() == v.id()).findFirst().orElseThrow());
            }

            @Override
            public void vm(Vm vm) {
                restoreVm(vm, s.vm());
            }
        });
    }

    /** Reads and checks {@code snapshot.jkvm} without building anything. */
    public static SnapshotState readState(Path file) {
        if (!Files.isRegularFile(file)) throw new SnapshotException("snapshot " + file + ": no such file");
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SnapshotException("snapshot " + file + ": cannot read: " + e.getMessage(), e);
        }
        int header = MAGIC.length + 4 + 8;
        if (all.length < header + 4 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC))
            throw new SnapshotException("snapshot " + file + ": not a jkvm snapshot (magic is not \"JKVMSNAP\")");
        ByteBuffer b = ByteBuffer.wrap(all);
        int version = b.getInt(MAGIC.length);
        if (version != FORMAT_VERSION)
            throw new SnapshotException("snapshot " + file + ": format version " + version + ", this jkvm reads version " + FORMAT_VERSION);
        long len = b.getLong(MAGIC.length + 4);
        if (len != all.length - header - 4) throw new SnapshotException("snapshot " + file + ": length field " + len + " does not match the file (truncated?)");
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != b.getInt(all.length - 4))
            throw new SnapshotException("snapshot " + file + ": checksum mismatch (the file is corrupt)");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, header, (int) len))) {
            return (SnapshotState) RecordCodec.read(in, SnapshotState.class);
        } catch (IOException e) {
            throw new SnapshotException("snapshot " + file + ": content this jkvm cannot read: " + e.getMessage(), e);
        }
    }

    private static void writeState(SnapshotState s, Path file) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(body)) {
            RecordCodec.write(out, s, SnapshotState.class);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(all);
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeLong(body.size());
        body.writeTo(out);
        CRC32C crc = new CRC32C();
        crc.update(all.toByteArray());
        out.writeInt((int) crc.getValue());
        atomicWrite(file, o -> all.writeTo(o));
    }

    private interface Writer {
        void to(OutputStream out) throws IOException;
    }

    private static void atomicWrite(Path file, Writer w) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            w.to(o);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Returns {size, crc32c}. */
    private static long[] writeMemory(GuestMemory mem, Path file) throws IOException {
        CRC32C crc = new CRC32C();
        long[] size = {0};
        atomicWrite(file, o -> {
            byte[] chunk = new byte[1 << 20];
            for (GuestMemory.Region r : mem.regions()) {
                for (long off = 0; off < r.size(); off += chunk.length) {
                    int n = (int) Math.min(chunk.length, r.size() - off);
                    MemorySegment.copy(r.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, off, chunk, 0, n);
                    crc.update(chunk, 0, n);
                    o.write(chunk, 0, n);
                    size[0] += n;
                }
            }
        });
        return new long[] {size[0], crc.getValue()};
    }

    private static void readMemory(GuestMemory mem, Path file, long size, long crc32c) {
        try {
            if (!Files.isRegularFile(file)) throw new SnapshotException("snapshot " + file + ": no such file");
            if (Files.size(file) != size || mem.size() != size)
                throw new SnapshotException("snapshot " + file + ": " + Files.size(file) + " bytes, expected " + size
                        + " (guest RAM " + mem.size() + ")");
            CRC32C crc = new CRC32C();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
                byte[] chunk = new byte[1 << 20];
                for (GuestMemory.Region r : mem.regions()) {
                    for (long off = 0; off < r.size(); off += chunk.length) {
                        int n = (int) Math.min(chunk.length, r.size() - off);
                        if (in.readNBytes(chunk, 0, n) != n) throw new SnapshotException("snapshot " + file + ": truncated");
                        crc.update(chunk, 0, n);
                        MemorySegment.copy(chunk, 0, r.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, off, n);
                    }
                }
            }
            if (crc.getValue() != crc32c) throw new SnapshotException("snapshot " + file + ": checksum mismatch (the file is corrupt)");
        } catch (IOException e) {
            throw new SnapshotException("snapshot " + file + ": cannot read: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ vCPU and VM state

    static VcpuState saveVcpu(Kvm kvm, Vm vm, Vcpu v) {
        boolean xsave = vm.checkExtension(Cap.KVM_CAP_XSAVE) > 0, xcrs = vm.checkExtension(Cap.KVM_CAP_XCRS) > 0;
        return new VcpuState(v.id(), v.getCpuid2(io.jkvm.api.Kvm.KVM_MAX_CPUID_ENTRIES), v.getMpState(), v.getRegs(),
                v.getSregs(), xsave ? v.getXsave() : null, xcrs ? v.getXcrs() : null, v.getDebugregs(), v.getLapic(),
                readMsrs(v, kvm.getMsrIndexList()), v.getVcpuEvents());
    }

    /** KVM_GET_MSRS stops at the first MSR it cannot read; skip that one and go on with the rest. */
    private static List<MsrEntry> readMsrs(Vcpu v, int[] indices) {
        List<MsrEntry> out = new ArrayList<>();
        int from = 0;
        while (from < indices.length) {
            int[] batch = Arrays.copyOfRange(indices, from, Math.min(indices.length, from + 200));
            MsrEntry[] got = v.getMsrs(batch);
            out.addAll(Arrays.asList(got));
            from += got.length + (got.length < batch.length ? 1 : 0);
        }
        return out;
    }

    /** Linux's order: MP_STATE, REGS, SREGS, XSAVE, XCRS, DEBUGREGS, LAPIC, MSRs, VCPU_EVENTS (CPUID first). */
    static void restoreVcpu(Vcpu v, VcpuState s) {
        v.setCpuid2(s.cpuid());
        v.setMpState(s.mp_state());
        v.setRegs(s.regs());
        v.setSregs(s.sregs());
        if (s.xsave() != null) v.setXsave(s.xsave());
        if (s.xcrs() != null) v.setXcrs(s.xcrs());
        v.setDebugregs(s.debugregs());
        v.setLapic(s.lapic());
        writeMsrs(v, s.msrs());
        v.setVcpuEvents(s.events());
    }

    /** KVM_SET_MSRS stops at the first MSR it refuses; skip it (a read-only MSR of this host) and go on. */
    private static void writeMsrs(Vcpu v, List<MsrEntry> msrs) {
        int from = 0;
        while (from < msrs.size()) {
            List<MsrEntry> batch = msrs.subList(from, Math.min(msrs.size(), from + 200));
            int n = v.setMsrs(batch.toArray(MsrEntry[]::new));
            from += n + (n < batch.size() ? 1 : 0);
        }
    }

    static VmState saveVm(Vm vm) {
        List<Irqchip> chips = new ArrayList<>();
        PitState2 pit = null;
        try {
            for (int id = 0; id < Irqchip.KVM_NR_IRQCHIPS; id++) chips.add(vm.getIrqchip(id));
        } catch (KvmException e) {
            chips.clear();  // ENXIO: no in-kernel irqchip
        }
        if (!chips.isEmpty() && vm.checkExtension(Cap.KVM_CAP_PIT_STATE2) > 0) {
            try {
                pit = vm.getPit2();
            } catch (KvmException e) {
                pit = null;  // no PIT was created
            }
        }
        ClockData clock = vm.getClock();
        return new VmState(chips, pit, new ClockData(clock.clock(), 0, 0, 0));
    }

    static void restoreVm(Vm vm, VmState s) {
        for (Irqchip c : s.irqchips()) vm.setIrqchip(c);
        if (s.pit() != null) vm.setPit2(s.pit());
        vm.setClock(s.clock());
    }

}
