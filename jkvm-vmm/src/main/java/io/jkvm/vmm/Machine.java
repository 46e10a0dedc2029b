package io.jkvm.vmm;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.vmm.boot.Boot;
import io.jkvm.vmm.vstate.Bus;
import io.jkvm.vmm.vstate.GuestMemory;
import io.jkvm.vmm.vstate.VcpuThread;
import java.io.Closeable;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A built machine: the VM, its memory, buses, devices and vCPUs, one thread per vCPU once {@link #start()}ed.
 * {@link #pause()} parks every vCPU with its state complete (for snapshots), {@link #resume()} lets them go,
 * {@link #stop(MachineExit)} ends the run; {@link #awaitExit(Duration)} waits for the outcome.
 */
public final class Machine implements AutoCloseable {
    private final MachineConfig config;
    private final Kvm kvm;
    private final Vm vm;
    private final Arena arena;
    private final GuestMemory memory;
    private final Bus pio, mmio;
    private final Devices devices;
    private final List<Vcpu> vcpus;
    private final Boot boot;
    private final List<Closeable> resources;
    private final List<Thread> threads = new ArrayList<>();
    private final Control control = new Control();
    private Thread consolePump;

    Machine(MachineConfig config, Kvm kvm, Vm vm, Arena arena, GuestMemory memory, Bus pio, Bus mmio, Devices devices,
            List<Vcpu> vcpus, Boot boot, List<Closeable> resources) {
        this.config = config;
        this.kvm = kvm;
        this.vm = vm;
        this.arena = arena;
        this.memory = memory;
        this.pio = pio;
        this.mmio = mmio;
        this.devices = devices;
        this.vcpus = List.copyOf(vcpus);
        this.boot = boot;
        this.resources = resources;
    }

    public MachineConfig config() { return config; }
    public Kvm kvm() { return kvm; }
    public Vm vm() { return vm; }
    public GuestMemory memory() { return memory; }
    public Bus pio() { return pio; }
    public Bus mmio() { return mmio; }
    public Devices devices() { return devices; }
    public List<Vcpu> vcpus() { return vcpus; }
    public Boot boot() { return boot; }

    /** Starts one thread per vCPU (and the console input pump, if the machine has console input). */
    public synchronized void start() {
        if (!threads.isEmpty()) throw new IllegalStateException("already started");
        for (Vcpu v : vcpus) {
            Thread t = new Thread(new VcpuThread(v, pio, mmio, control), "vcpu-" + v.id());
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        if (consolePump != null) consolePump.start();
    }

    void consolePump(Thread t) {
        consolePump = t;
    }

    /** Parks every vCPU outside KVM_RUN with its pending I/O completed; returns false if the machine ended first. */
    public boolean pause(Duration timeout) throws InterruptedException {
        synchronized (control) {
            control.paused = true;
        }
        vcpus.forEach(Vcpu::kick);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (control) {
            while (control.parked < aliveThreads() && control.exit == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IllegalStateException("vCPUs did not park within " + timeout);
                control.wait(Math.max(1, left / 1_000_000));
            }
            return control.exit == null;
        }
    }

    private int aliveThreads() {
        int n = 0;
        for (Thread t : threads) if (t.isAlive()) n++;
        return n;
    }

    public void resume() {
        synchronized (control) {
            control.paused = false;
            control.notifyAll();
        }
    }

    /** Ends the run with {@code exit} unless it already ended; vCPUs leave KVM_RUN promptly. */
    public void stop(MachineExit exit) {
        control.finish(exit);
    }

    /** Waits up to {@code timeout} for the machine to end; returns how, or null if it still runs. */
    public MachineExit waitForExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (control) {
            while (control.exit == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                control.wait(Math.max(1, left / 1_000_000));
            }
            return control.exit;
        }
    }

    /** Waits for the machine to end; on timeout stops it with a {@link MachineExit.Stopped} and returns that. */
    public MachineExit awaitExit(Duration timeout) throws InterruptedException {
        waitForExit(timeout);
        control.finish(new MachineExit.Stopped("no exit within " + timeout, 124));
        for (Thread t : threads) t.join(5_000);
        return control.exit;
    }

    /** The outcome, or null while running. */
    public MachineExit exit() {
        synchronized (control) {
            return control.exit;
        }
    }

    @Override
    public void close() {
        control.finish(new MachineExit.Stopped("closed", 0));
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Vcpu v : vcpus) v.close();
        vm.close();
        kvm.close();
        for (Closeable c : resources) {
            try {
                c.close();
            } catch (java.io.IOException ignored) {
                // closing a disk image: nothing left to do about it
            }
        }
        arena.close();  // last: KVM may touch guest memory until the VM is gone
    }

    /** The state vCPU threads share with the machine, under its own monitor. */
    private final class Control implements VcpuThread.Control {
        boolean paused;
        int parked;
        MachineExit exit;

        @Override
        public synchronized boolean parkIfPaused(int vcpu) throws InterruptedException {
            if (!paused || exit != null) return false;
            parked++;
            notifyAll();
            try {
                while (paused && exit == null) wait();
            } finally {
                parked--;
            }
            return false;
        }

        @Override
        public synchronized boolean stopping() {
            return exit != null;
        }

        @Override
        public void finish(MachineExit e) {
            synchronized (this) {
                if (exit != null) return;
                exit = e;
                notifyAll();
            }
            for (Vcpu v : vcpus) {
                try {
                    v.kick();
                } catch (RuntimeException ignored) {
                    // a vCPU already closed needs no kick
                }
            }
        }
    }
}
