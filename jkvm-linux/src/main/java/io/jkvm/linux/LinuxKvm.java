package io.jkvm.linux;

import static io.jkvm.linux.KvmIoctls.*;

import io.jkvm.api.Kvm;
import io.jkvm.api.KvmException;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.api.uapi.Mem;
import java.util.ArrayList;
import java.util.List;

/** System ioctls on {@code /dev/kvm}. */
final class LinuxKvm implements Kvm {
    private final Fd fd;
    private final int mmapSize;

    LinuxKvm(Fd fd) {
        this.fd = fd;
        int version = fd.ioctl("KVM_GET_API_VERSION", KVM_GET_API_VERSION, 0);
        if (version != KVM_API_VERSION) {
            fd.close();
            throw new KvmException(io.jkvm.api.Errno.EINVAL, "/dev/kvm reports API version " + version + ", jkvm needs 12");
        }
        this.mmapSize = fd.ioctl("KVM_GET_VCPU_MMAP_SIZE", KVM_GET_VCPU_MMAP_SIZE, 0);
    }

    @Override
    public String backendName() {
        return "linux";
    }

    @Override
    public int getApiVersion() {
        return fd.ioctl("KVM_GET_API_VERSION", KVM_GET_API_VERSION, 0);
    }

    @Override
    public Vm createVm(long type) {
        int vmfd = fd.ioctl("KVM_CREATE_VM", KVM_CREATE_VM, type);
        return new LinuxVm(this, new Fd(vmfd, "VM"));
    }

    @Override
    public int[] getMsrIndexList(int nmsrs) {
        if (nmsrs < 0) throw new KvmException(io.jkvm.api.Errno.EINVAL, "KVM_GET_MSR_INDEX_LIST: nmsrs < 0");
        return fd.ioctl("KVM_GET_MSR_INDEX_LIST", KVM_GET_MSR_INDEX_LIST, 4 + 4L * nmsrs,
                b -> Mem.u32(b, 0, nmsrs),
                b -> {
                    int[] r = new int[Mem.u32(b, 0)];
                    for (int i = 0; i < r.length; i++) r[i] = Mem.u32(b, 4 + 4L * i);
                    return r;
                });
    }

    @Override
    public int checkExtension(int cap) {
        return fd.ioctl("KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION, cap);
    }

    @Override
    public int getVcpuMmapSize() {
        return fd.ioctl("KVM_GET_VCPU_MMAP_SIZE", KVM_GET_VCPU_MMAP_SIZE, 0);
    }

    int mmapSize() {
        return mmapSize;
    }

    @Override
    public List<CpuidEntry2> getSupportedCpuid(int nent) {
        if (nent < 0) throw new KvmException(io.jkvm.api.Errno.E2BIG, "KVM_GET_SUPPORTED_CPUID: nent < 0");
        // Linux clamps nent to KVM_MAX_CPUID_ENTRIES before writing, so the buffer never needs more.
        int room = Math.min(nent, KVM_MAX_CPUID_ENTRIES);
        return fd.ioctl("KVM_GET_SUPPORTED_CPUID", KVM_GET_SUPPORTED_CPUID, 8 + CpuidEntry2.LAYOUT.byteSize() * room,
                b -> Mem.u32(b, 0, room), LinuxKvm::readCpuid2);
    }

    static List<CpuidEntry2> readCpuid2(java.lang.foreign.MemorySegment b) {
        int n = Mem.u32(b, 0);
        List<CpuidEntry2> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) r.add(CpuidEntry2.read(b, 8 + CpuidEntry2.LAYOUT.byteSize() * i));
        return List.copyOf(r);
    }

    @Override
    public void close() {
        fd.close();
    }
}
