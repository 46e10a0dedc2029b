package io.jkvm.linux;

import io.jkvm.api.Errno;
import io.jkvm.api.Kvm;
import io.jkvm.api.KvmException;
import io.jkvm.api.spi.Backend;
import io.jkvm.linux.sys.Libc;
import java.nio.file.Files;
import java.nio.file.Path;

/** The "linux" backend: the jkvm API over {@code /dev/kvm}. */
public final class LinuxBackend implements Backend {
    public static final String DEVICE = "/dev/kvm";

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) return "not a Linux host";
        if (!"amd64".equals(System.getProperty("os.arch")) && !"x86_64".equals(System.getProperty("os.arch")))
            return "jkvm's linux backend supports x86-64 hosts only";
        if (!Files.exists(Path.of(DEVICE))) return DEVICE + " does not exist (no KVM on this host)";
        int fd;
        try {
            fd = Libc.open(DEVICE, Libc.O_RDWR | Libc.O_CLOEXEC);
        } catch (IllegalCallerException | UnsupportedOperationException e) {
            return "native access denied: run with --enable-native-access=ALL-UNNAMED (" + e.getMessage() + ")";
        }
        if (fd < 0) {
            Errno e = Errno.of(-fd);
            return "cannot open " + DEVICE + ": " + (e != null ? e.name() + " (" + e.description + ")" : "errno " + -fd);
        }
        Libc.close(fd);
        return null;
    }

    @Override
    public Kvm open() {
        int fd = Libc.open(DEVICE, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0) throw new KvmException(-fd, "open " + DEVICE);
        return new LinuxKvm(new Fd(fd, "/dev/kvm"));
    }
}
