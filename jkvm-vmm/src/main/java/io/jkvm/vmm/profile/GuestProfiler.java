package io.jkvm.vmm.profile;

import io.jkvm.api.Vcpu;
import io.jkvm.java.GuestSampling;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A sampling profiler of guest code: a daemon thread reads each java-backend vCPU's RIP about every
 * millisecond (racily — the run loop never waits for it) and counts samples per address. The report names
 * the kernel functions where the guest spends its time, which tells a slow guest phase that is inherent
 * (many instructions) from an emulation gap (one instruction or path that is slow in jkvm).
 */
public final class GuestProfiler implements AutoCloseable {
    private static final long INTERVAL_NS = 1_000_000;

    private final List<GuestSampling> cpus = new ArrayList<>();
    private final Map<Long, long[]> counts = new HashMap<>();
    private long samples, user;
    private volatile boolean running = true;
    private final Thread thread;

    /** Profiles the vCPUs that support sampling (the java backend's); others are ignored. */
    public GuestProfiler(List<Vcpu> vcpus) {
        for (Vcpu v : vcpus) if (v instanceof GuestSampling s) cpus.add(s);
        thread = Thread.ofPlatform().daemon().name("guest-profiler").unstarted(this::sample);
    }

    public boolean active() {
        return !cpus.isEmpty();
    }

    public GuestProfiler start() {
        if (active()) thread.start();
        return this;
    }

    private void sample() {
        while (running) {
            synchronized (this) {
                for (GuestSampling s : cpus) {
                    counts.computeIfAbsent(s.sampleRip(), k -> new long[1])[0]++;
                    if (s.sampleCpl() == 3) user++;
                    samples++;
                }
            }
            LockSupport.parkNanos(INTERVAL_NS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread.isAlive()) thread.join();
    }

    /** The {@code top} functions by samples (or raw addresses, without a map), with their share. */
    public synchronized void report(PrintWriter out, SymbolMap map, int top) {
        out.printf("guest profile: %d samples over %d vCPU(s), %.1f%% at CPL3%n", samples, cpus.size(),
                samples == 0 ? 0.0 : 100.0 * user / samples);
        Map<String, Long> byName = new HashMap<>();
        for (var e : counts.entrySet()) {
            String name = map == null ? null : map.lookup(e.getKey());
            if (name == null) name = String.format("%#x", e.getKey());
            byName.merge(name, e.getValue()[0], Long::sum);
        }
        byName.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.printf("%7d %5.1f%%  %s%n", e.getValue(), 100.0 * e.getValue() / samples, e.getKey()));
        out.flush();
    }
}
