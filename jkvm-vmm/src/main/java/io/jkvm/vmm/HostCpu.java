package io.jkvm.vmm;

import io.jkvm.api.Kvm;
import io.jkvm.api.spi.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which backend a VMM run should use. {@code auto} takes /dev/kvm only when the host CPU has real hardware
 * virtualisation — a "vmx" or "svm" flag in /proc/cpuinfo — and the device opens; otherwise the pure-Java
 * backend. Some hosts expose a /dev/kvm without either flag (nested PVM): it runs guest user code natively
 * but emulates guest kernel code at about 1–2 M instructions/s, so it suits small test guests, not Linux.
 */
public final class HostCpu {
    private HostCpu() {}

    /** The chosen backend and, when it is /dev/kvm without VT-x/SVM, a warning for the user. */
    public record Choice(String backend, String warning) {}

    public static final String NO_HW_VIRT_WARNING = "this host CPU has no VT-x/SVM (no vmx/svm flag in /proc/cpuinfo): "
            + "/dev/kvm here emulates guest kernel code at about 1-2 M instructions/s; small test guests work, "
            + "a Linux kernel will not boot at a usable speed";

    /** True when /proc/cpuinfo lists vmx or svm. */
    public static boolean hardwareVirtualization() {
        return hardwareVirtualization(Path.of("/proc/cpuinfo"));
    }

    static boolean hardwareVirtualization(Path cpuinfo) {
        try {
            Pattern flag = Pattern.compile("^flags\\s*:.*\\b(vmx|svm)\\b.*$", Pattern.MULTILINE);
            return flag.matcher(Files.readString(cpuinfo)).find();
        } catch (IOException e) {
            return false;
        }
    }

    /** Resolves {@code requested} ("auto", "linux", "java") to an installed, runnable backend. */
    public static Choice choose(String requested) {
        if (requested.equals("auto")) {
            if (hardwareVirtualization() && available("linux") == null) return new Choice("linux", null);
            String java = available("java");
            if (java == null) return new Choice("java", null);
            String linux = available("linux");
            throw new io.jkvm.vmm.boot.BootException("--backend auto: no backend can run a guest at usable speed here: "
                    + "the java backend is " + java + "; /dev/kvm "
                    + (linux != null ? "is unusable (" + linux + ")" : "has no VT-x/SVM behind it")
                    + (linux == null ? ". --backend linux runs small guests anyway (" + NO_HW_VIRT_WARNING + ")" : ""));
        }
        String why = available(requested);
        if (why != null) throw new io.jkvm.vmm.boot.BootException("--backend " + requested + ": " + why);
        return new Choice(requested, requested.equals("linux") && !hardwareVirtualization() ? NO_HW_VIRT_WARNING : null);
    }

    /** Null when backend {@code name} is installed and can run here, else why not. */
    static String available(String name) {
        List<Backend> all = Kvm.backends();
        for (Backend b : all) {
            if (b.name().equals(name)) {
                String why = b.unavailableReason();
                return why == null ? null : "unavailable (" + why + ")";
            }
        }
        return "not installed (installed: " + all.stream().map(Backend::name).toList() + ")";
    }
}
