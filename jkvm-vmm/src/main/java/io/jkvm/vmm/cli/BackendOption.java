package io.jkvm.vmm.cli;

import io.jkvm.api.Kvm;
import picocli.CommandLine.Option;

/**
 * {@code --backend NAME}, shared by every subcommand that opens a KVM. The names are the installed
 * {@link io.jkvm.api.spi.Backend}s; {@link Kvm#open(String)} rejects others with ENODEV and lists what is
 * installed, so a new backend needs no change here.
 */
public final class BackendOption {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "linux (/dev/kvm), java (the pure-Java KVM) or auto (linux where /dev/kvm works, "
                    + "else java). Default: ${DEFAULT-VALUE}.")
    String name;

    public BackendOption() {
        this("auto");
    }

    /** A command whose natural backend is not "auto" initialises its mixin field with this. */
    public BackendOption(String defaultName) {
        this.name = defaultName;
    }

    public String name() {
        return name;
    }

    /** The system handle of the chosen backend; KvmException (ENODEV) names the problem otherwise. */
    public Kvm open() {
        return Kvm.open(name);
    }
}
