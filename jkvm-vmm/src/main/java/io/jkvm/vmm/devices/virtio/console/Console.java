package io.jkvm.vmm.devices.virtio.console;

import io.jkvm.vmm.devices.virtio.DescriptorChain;
import io.jkvm.vmm.devices.virtio.Queue;
import io.jkvm.vmm.devices.virtio.VirtioDevice;
import io.jkvm.vmm.vstate.GuestMemory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * virtio-console with a single port and no optional features (virtio 1.x §5.3): queue 0 is receiveq (host →
 * guest), queue 1 transmitq (guest → host). Output goes to an {@link OutputStream}; input comes through
 * {@link #input(byte[])} (under the transport's monitor) and waits in a bounded buffer until the driver
 * offers receive buffers. Linux's {@code hvc} driver shows it as {@code /dev/hvc0}.
 */
public final class Console implements VirtioDevice {
    public static final int QUEUE_SIZE = 64, RECEIVEQ = 0, TRANSMITQ = 1;
    /** Input held back while the guest has no receive buffers; the console pump waits while it is full. */
    public static final int INPUT_LIMIT = 4096;

    /** @param pendingInput host input not yet delivered to the guest */
    public record State(byte[] pendingInput) {
        public State {
            pendingInput = pendingInput.clone();
        }

        @Override
        public byte[] pendingInput() {
            return pendingInput.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && Arrays.equals(pendingInput, s.pendingInput);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(pendingInput);
        }
    }

    private final OutputStream out;
    private byte[] pending;
    private GuestMemory mem;
    private Queue[] queues;
    private UsedBuffers used;

    private Console(State s, OutputStream out) {
        this.out = out;
        this.pending = s.pendingInput();
    }

    public static Console fromState(State s, OutputStream out) {
        return new Console(s, out);
    }

    public static Console create(OutputStream out) {
        return fromState(new State(new byte[0]), out);
    }

    @Override
    public State state() {
        return new State(pending);
    }

    /** Room for input; call under the transport's monitor. */
    public int inputSpace() {
        return INPUT_LIMIT - pending.length;
    }

    /** Host input for the guest (at most {@link #inputSpace()} bytes are kept); call under the transport's monitor. */
    public void input(byte[] bytes) {
        int n = Math.min(bytes.length, inputSpace());
        byte[] next = Arrays.copyOf(pending, pending.length + n);
        System.arraycopy(bytes, 0, next, pending.length, n);
        pending = next;
        deliver();
    }

    @Override
    public int deviceType() {
        return VIRTIO_ID_CONSOLE;
    }

    @Override
    public long deviceFeatures() {
        return VIRTIO_F_VERSION_1;
    }

    @Override
    public int[] queueMaxSizes() {
        return new int[] {QUEUE_SIZE, QUEUE_SIZE};
    }

    /** struct virtio_console_config (cols, rows, max_nr_ports, emerg_wr): valid only with features we do not offer. */
    @Override
    public int readConfig(int offset) {
        return 0;
    }

    @Override
    public void activate(GuestMemory mem, Queue[] queues, long features, UsedBuffers used) {
        this.mem = mem;
        this.queues = queues;
        this.used = used;
        deliver();
    }

    @Override
    public void reset() {
        mem = null;
        queues = null;
    }

    @Override
    public void queueNotify(int index) {
        if (queues == null) return;
        if (index == TRANSMITQ) transmit();
        else deliver();
    }

    private void transmit() {
        Queue q = queues[TRANSMITQ];
        boolean any = false;
        for (DescriptorChain c; (c = q.pop(mem)) != null; any = true) {
            byte[] data = c.read(mem, 0, (int) Math.min(c.readableLength(), 1 << 20));
            try {
                out.write(data);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("virtio-console output", e);
            }
            q.addUsed(mem, c.head(), 0);
        }
        if (any) used.signal();
    }

    private void deliver() {
        if (queues == null || pending.length == 0 || !queues[RECEIVEQ].ready()) return;
        Queue q = queues[RECEIVEQ];
        boolean any = false;
        while (pending.length > 0) {
            DescriptorChain c = q.pop(mem);
            if (c == null) break;
            int n = (int) Math.min(pending.length, c.writableLength());
            c.write(mem, 0, Arrays.copyOf(pending, n));
            pending = Arrays.copyOfRange(pending, n, pending.length);
            q.addUsed(mem, c.head(), n);
            any = true;
        }
        if (any) used.signal();
    }
}
