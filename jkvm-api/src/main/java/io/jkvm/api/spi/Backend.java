package io.jkvm.api.spi;

import io.jkvm.api.Kvm;

/**
 * A KVM implementation, found with {@link java.util.ServiceLoader}. jkvm ships "linux" (/dev/kvm) and
 * "java" (the pure-Java KVM); {@link Kvm#open(String)} picks one by name.
 */
public interface Backend {
    /** Short name used on the command line and in test names: "linux", "java". */
    String name();

    /** Null when {@link #open()} can succeed on this machine, else a sentence saying why not. */
    String unavailableReason();

    /** Opens the system handle (the equivalent of {@code open("/dev/kvm")}). */
    Kvm open();
}
