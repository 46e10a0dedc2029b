package io.jkvm.java;

import io.jkvm.api.Kvm;
import io.jkvm.api.spi.Backend;

/** The "java" backend: a KVM implemented in Java. Runs wherever a JVM runs. */
public final class JavaBackend implements Backend {
    @Override
    public String name() {
        return "java";
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Kvm open() {
        return new JavaKvm();
    }
}
