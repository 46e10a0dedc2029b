package io.jkvm.api;

import io.jkvm.api.spi.Backend;
import io.jkvm.api.uapi.CpuidEntry2;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The KVM system handle — what {@code open("/dev/kvm")} returns (seed 003 §2). System ioctls are its methods;
 * {@link #createVm()} makes a {@link Vm}. Every failure is a {@link KvmException} with Linux's errno.
 *
 * <pre>{@code
 * try (Kvm kvm = Kvm.open("java"); Vm vm = kvm.createVm()) {
 *     MemorySegment ram = Arena.ofAuto().allocate(1 << 20, 4096);
 *     vm.setUserMemoryRegion(0, 0, 0, ram);
 *     try (Vcpu cpu = vm.createVcpu(0)) { ... cpu.run() ... }
 * }
 * }</pre>
 */
public interface Kvm extends AutoCloseable {

    /** KVM_API_VERSION: the only version the stable API has ever reported. */
    int KVM_API_VERSION = 12;
    /** KVM_MAX_CPUID_ENTRIES of Linux x86. */
    int KVM_MAX_CPUID_ENTRIES = 256;

    /**
     * Opens backend {@code name}: "linux", "java", or "auto" (linux where /dev/kvm can be opened, else java).
     *
     * @throws KvmException ENODEV when no such backend is installed or it cannot run here (the message says why)
     */
    static Kvm open(String name) {
        List<Backend> all = backends();
        if (name.equals("auto")) {
            for (String pref : List.of("linux", "java")) {
                for (Backend b : all) if (b.name().equals(pref) && b.unavailableReason() == null) return b.open();
            }
            throw new KvmException(Errno.ENODEV, "no jkvm backend can run here");
        }
        for (Backend b : all) {
            if (!b.name().equals(name)) continue;
            String why = b.unavailableReason();
            if (why != null) throw new KvmException(Errno.ENODEV, "backend '" + name + "' unavailable: " + why);
            return b.open();
        }
        throw new KvmException(Errno.ENODEV, "no backend named '" + name + "' (installed: "
                + all.stream().map(Backend::name).toList() + ")");
    }

    /** Every backend on the class path, available or not. */
    static List<Backend> backends() {
        List<Backend> list = new ArrayList<>();
        ServiceLoader.load(Backend.class).forEach(list::add);
        return list;
    }

    /** The backend's short name ("linux", "java"). */
    String backendName();

    /** KVM_GET_API_VERSION (§4.1): always {@link #KVM_API_VERSION}. */
    int getApiVersion();

    /** KVM_CREATE_VM (§4.2) with machine type 0. */
    default Vm createVm() {
        return createVm(0);
    }

    /** KVM_CREATE_VM with a machine type; x86 accepts 0 (KVM_X86_DEFAULT_VM), else EINVAL. */
    Vm createVm(long type);

    /**
     * KVM_GET_MSR_INDEX_LIST (§4.3): the MSRs GET/SET_MSRS support.
     *
     * @param nmsrs room the caller offers
     * @throws KvmException E2BIG when the list has more than {@code nmsrs} entries
     */
    int[] getMsrIndexList(int nmsrs);

    /** KVM_GET_MSR_INDEX_LIST with enough room for the whole list. */
    default int[] getMsrIndexList() {
        int n = 64;
        while (true) {
            try {
                return getMsrIndexList(n);
            } catch (KvmException e) {
                if (e.errno() != Errno.E2BIG || n > 1 << 16) throw e;
                n *= 4;
            }
        }
    }

    /** KVM_CHECK_EXTENSION (§4.4) on the system handle: 0 when unsupported, else ≥ 1 (some caps return a value). */
    int checkExtension(int cap);

    default int checkExtension(Cap cap) {
        return checkExtension(cap.number);
    }

    /** KVM_GET_VCPU_MMAP_SIZE (§4.5): bytes of the kvm_run mapping. */
    int getVcpuMmapSize();

    /**
     * KVM_GET_SUPPORTED_CPUID (§4.46): the CPUID leaves the backend can present to a guest.
     *
     * @throws KvmException E2BIG when there are more than {@code nent} entries
     */
    List<CpuidEntry2> getSupportedCpuid(int nent);

    default List<CpuidEntry2> getSupportedCpuid() {
        return getSupportedCpuid(KVM_MAX_CPUID_ENTRIES);
    }

    /** Closes the handle; VMs created from it stay usable until they are closed (as with fds). */
    @Override
    void close();
}
