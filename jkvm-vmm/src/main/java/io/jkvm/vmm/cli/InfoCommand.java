package io.jkvm.vmm.cli;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.KvmException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jkvm info}: what a backend's system ioctls answer — KVM_GET_API_VERSION, KVM_GET_VCPU_MMAP_SIZE,
 * KVM_CHECK_EXTENSION for every {@link Cap} (and for any other number up to {@link #SCAN_LIMIT} that answers
 * non-zero), and the sizes of KVM_GET_MSR_INDEX_LIST and KVM_GET_SUPPORTED_CPUID.
 *
 * <p>One capability per line, {@code <mark> <number> <name> <value>}, mark {@code *} for a non-zero answer;
 * tests parse these lines and compare them with a C probe of the same host.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Prints the API version, vcpu mmap size, every KVM_CAP_* with its KVM_CHECK_EXTENSION "
                + "value, and the MSR index list and supported CPUID sizes of a backend.")
final class InfoCommand implements Callable<Integer> {
    /** Numbers asked beyond the named ones: Cap's own table size, well past Linux's highest capability. */
    static final int SCAN_LIMIT = 512;

    @Mixin
    BackendOption backend;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Kvm kvm = backend.open()) {
            out.printf("backend          %s%n", kvm.backendName());
            out.printf("api version      %d%n", kvm.getApiVersion());
            out.printf("vcpu mmap size   %d bytes%n", kvm.getVcpuMmapSize());
            printCaps(out, kvm);
            out.printf("msr index list   %s%n", count(() -> kvm.getMsrIndexList().length, "MSRs"));
            out.printf("supported cpuid  %s%n", count(() -> kvm.getSupportedCpuid().size(), "entries"));
        }
        return 0;
    }

    private static void printCaps(PrintWriter out, Kvm kvm) {
        out.println("capabilities     KVM_CHECK_EXTENSION on the system fd, * = non-zero");
        int named = 0, nonZero = 0;
        for (int n = 0; n < SCAN_LIMIT; n++) {
            Cap cap = Cap.of(n);
            int value = kvm.checkExtension(n);
            if (cap == null && value == 0) continue;  // a number Linux does not define answers 0: not worth a line
            if (cap != null) named++;
            if (value != 0) nonZero++;
            String name = cap != null ? cap.name() : "(no name in io.jkvm.api.Cap)";
            out.printf("  %s %3d  %-42s %d%n", value != 0 ? "*" : " ", n, name, value);
        }
        out.printf("                 %d of %d named capabilities asked, %d answered non-zero%n",
                named, Cap.values().length, nonZero);
    }

    /** "N what", or why the backend could not say (e.g. a backend that does not implement the ioctl). */
    private static String count(java.util.function.IntSupplier n, String what) {
        try {
            return n.getAsInt() + " " + what;
        } catch (KvmException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
