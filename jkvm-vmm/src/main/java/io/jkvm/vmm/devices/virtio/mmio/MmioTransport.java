package io.jkvm.vmm.devices.virtio.mmio;

import io.jkvm.vmm.devices.virtio.Queue;
import io.jkvm.vmm.devices.virtio.QueueState;
import io.jkvm.vmm.devices.virtio.VirtioDevice;
import io.jkvm.vmm.devices.virtio.VirtioException;
import io.jkvm.vmm.vstate.BusDevice;
import io.jkvm.vmm.vstate.GuestMemory;
import io.jkvm.vmm.vstate.GuestMemoryException;
import io.jkvm.vmm.vstate.IrqLine;
import java.util.ArrayList;
import java.util.List;

/**
 * The virtio-mmio transport, version 2 (virtio 1.x §4.2; register names from Linux's
 * {@code include/uapi/linux/virtio_mmio.h}): a 0x200-byte register window per device, announced to Linux
 * with {@code virtio_mmio.device=512@<base>:<irq>}. Requests are handled synchronously when the driver writes
 * QueueNotify. The interrupt line is high while InterruptStatus is non-zero.
 *
 * <p>A driver that breaks the protocol gets DEVICE_NEEDS_RESET and a configuration-change interrupt; the
 * device then ignores notifications until the driver resets it (Status = 0).
 */
public final class MmioTransport implements BusDevice {
    public static final long WINDOW = 0x200;
    public static final int VIRTIO_MMIO_MAGIC_VALUE = 0x000, VIRTIO_MMIO_VERSION = 0x004,
            VIRTIO_MMIO_DEVICE_ID = 0x008, VIRTIO_MMIO_VENDOR_ID = 0x00c, VIRTIO_MMIO_DEVICE_FEATURES = 0x010,
            VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014, VIRTIO_MMIO_DRIVER_FEATURES = 0x020,
            VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024, VIRTIO_MMIO_QUEUE_SEL = 0x030,
            VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034, VIRTIO_MMIO_QUEUE_NUM = 0x038, VIRTIO_MMIO_QUEUE_READY = 0x044,
            VIRTIO_MMIO_QUEUE_NOTIFY = 0x050, VIRTIO_MMIO_INTERRUPT_STATUS = 0x060,
            VIRTIO_MMIO_INTERRUPT_ACK = 0x064, VIRTIO_MMIO_STATUS = 0x070, VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080,
            VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084, VIRTIO_MMIO_QUEUE_AVAIL_LOW = 0x090,
            VIRTIO_MMIO_QUEUE_AVAIL_HIGH = 0x094, VIRTIO_MMIO_QUEUE_USED_LOW = 0x0a0,
            VIRTIO_MMIO_QUEUE_USED_HIGH = 0x0a4, VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc, VIRTIO_MMIO_CONFIG = 0x100;
    /** "virt" in little-endian. */
    public static final int MAGIC = 0x74726976;
    public static final int VERSION = 2;
    /** Vendor "JKVM" in little-endian: no PCI vendor involved, any value is allowed. */
    public static final int VENDOR_ID = 0x4d564b4a;
    public static final int VIRTIO_CONFIG_S_ACKNOWLEDGE = 1, VIRTIO_CONFIG_S_DRIVER = 2,
            VIRTIO_CONFIG_S_DRIVER_OK = 4, VIRTIO_CONFIG_S_FEATURES_OK = 8,
            VIRTIO_CONFIG_S_NEEDS_RESET = 0x40, VIRTIO_CONFIG_S_FAILED = 0x80;
    public static final int VIRTIO_MMIO_INT_VRING = 1, VIRTIO_MMIO_INT_CONFIG = 2;

    private final VirtioDevice device;
    private final GuestMemory mem;
    private final IrqLine irq;
    private int status, deviceFeaturesSel, driverFeaturesSel, queueSel, interruptStatus, configGeneration;
    private long driverFeatures;
    private final Queue[] queues;
    private boolean irqLevel;
    /** The last protocol violation, for diagnostics (not state: the status register records the outcome). */
    private String lastError;

    private MmioTransport(MmioTransportState s, VirtioDevice device, GuestMemory mem, IrqLine irq) {
        this.device = device;
        this.mem = mem;
        this.irq = irq;
        int[] max = device.queueMaxSizes();
        if (s.queues().size() != max.length)
            throw new IllegalArgumentException("state has " + s.queues().size() + " queues, device " + max.length);
        queues = new Queue[max.length];
        for (int i = 0; i < max.length; i++) queues[i] = Queue.fromState(s.queues().get(i));
        status = s.status(); deviceFeaturesSel = s.deviceFeaturesSel(); driverFeaturesSel = s.driverFeaturesSel();
        driverFeatures = s.driverFeatures(); queueSel = s.queueSel(); interruptStatus = s.interruptStatus();
        configGeneration = s.configGeneration();
        if ((status & VIRTIO_CONFIG_S_DRIVER_OK) != 0 && (status & VIRTIO_CONFIG_S_NEEDS_RESET) == 0)
            device.activate(mem, queues, driverFeatures, this::signalUsed);
        updateIrq();
    }

    /** A transport in {@code state} for {@code device}, whose device state the caller restored already. */
    public static MmioTransport fromState(MmioTransportState state, VirtioDevice device, GuestMemory mem, IrqLine irq) {
        return new MmioTransport(state, device, mem, irq);
    }

    public static MmioTransport create(VirtioDevice device, GuestMemory mem, IrqLine irq) {
        List<QueueState> qs = new ArrayList<>();
        for (int max : device.queueMaxSizes()) qs.add(QueueState.reset(max));
        return fromState(new MmioTransportState(0, 0, 0, 0, 0, 0, 0, qs), device, mem, irq);
    }

    public MmioTransportState state() {
        List<QueueState> qs = new ArrayList<>();
        for (Queue q : queues) qs.add(q.state());
        return new MmioTransportState(status, deviceFeaturesSel, driverFeaturesSel, driverFeatures, queueSel,
                interruptStatus, configGeneration, qs);
    }

    public VirtioDevice device() {
        return device;
    }

    /** The last protocol violation of the driver, or null. */
    public synchronized String lastError() {
        return lastError;
    }

    /** Runs {@code action} under this transport's monitor: how another thread (console input) reaches the device. */
    public synchronized void locked(Runnable action) {
        try {
            action.run();
        } catch (VirtioException | GuestMemoryException e) {
            fail(e.getMessage());
        }
    }

    @Override
    public long read(long offset, int size) {
        if (offset >= VIRTIO_MMIO_CONFIG) return readConfig((int) (offset - VIRTIO_MMIO_CONFIG), size);
        if (size != 4 || (offset & 3) != 0) return 0;  // §4.2.2: registers are read with 32-bit accesses
        Queue q = selected();
        return 0xffffffffL & switch ((int) offset) {
            case VIRTIO_MMIO_MAGIC_VALUE -> MAGIC;
            case VIRTIO_MMIO_VERSION -> VERSION;
            case VIRTIO_MMIO_DEVICE_ID -> device.deviceType();
            case VIRTIO_MMIO_VENDOR_ID -> VENDOR_ID;
            case VIRTIO_MMIO_DEVICE_FEATURES -> deviceFeaturesSel > 1 ? 0 : (int) (device.deviceFeatures() >>> (32 * deviceFeaturesSel));
            case VIRTIO_MMIO_QUEUE_NUM_MAX -> q == null ? 0 : q.maxSize();
            case VIRTIO_MMIO_QUEUE_READY -> q != null && q.ready() ? 1 : 0;
            case VIRTIO_MMIO_INTERRUPT_STATUS -> interruptStatus;
            case VIRTIO_MMIO_STATUS -> status;
            case VIRTIO_MMIO_CONFIG_GENERATION -> configGeneration;
            default -> 0;
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset >= VIRTIO_MMIO_CONFIG) {
            for (int i = 0; i < size; i++) device.writeConfig((int) (offset - VIRTIO_MMIO_CONFIG) + i, (int) (value >>> (8 * i)) & 0xff);
            return;
        }
        if (size != 4 || (offset & 3) != 0) return;
        int v = (int) value;
        switch ((int) offset) {
            case VIRTIO_MMIO_DEVICE_FEATURES_SEL -> deviceFeaturesSel = v;
            case VIRTIO_MMIO_DRIVER_FEATURES -> setDriverFeatures(v);
            case VIRTIO_MMIO_DRIVER_FEATURES_SEL -> driverFeaturesSel = v;
            case VIRTIO_MMIO_QUEUE_SEL -> queueSel = v;
            case VIRTIO_MMIO_QUEUE_NOTIFY -> queueNotify(v);
            case VIRTIO_MMIO_INTERRUPT_ACK -> interruptStatus &= ~v;
            case VIRTIO_MMIO_STATUS -> setStatus(v);
            default -> writeQueueRegister((int) offset, v);
        }
        updateIrq();
    }

    private Queue selected() {
        return queueSel >= 0 && queueSel < queues.length ? queues[queueSel] : null;
    }

    private int readConfig(int offset, int size) {
        int v = 0;
        for (int i = 0; i < size && i < 4; i++) v |= (device.readConfig(offset + i) & 0xff) << (8 * i);
        return v;
    }

    private void setDriverFeatures(int v) {
        if ((status & VIRTIO_CONFIG_S_FEATURES_OK) != 0 || driverFeaturesSel > 1) return;  // frozen after FEATURES_OK
        int shift = 32 * driverFeaturesSel;
        driverFeatures = (driverFeatures & ~(0xffffffffL << shift)) | (Integer.toUnsignedLong(v) << shift);
    }

    private void writeQueueRegister(int offset, int v) {
        Queue q = selected();
        // §4.2.2.3: queue registers may change only while the queue is not ready and before DRIVER_OK
        if (q == null || (status & VIRTIO_CONFIG_S_DRIVER_OK) != 0) return;
        if (q.ready() && offset != VIRTIO_MMIO_QUEUE_READY) return;
        long u = Integer.toUnsignedLong(v);
        switch (offset) {
            case VIRTIO_MMIO_QUEUE_NUM -> q.size(v);
            case VIRTIO_MMIO_QUEUE_READY -> q.ready(v == 1);
            case VIRTIO_MMIO_QUEUE_DESC_LOW -> q.descTable(q.descTable() & ~0xffffffffL | u);
            case VIRTIO_MMIO_QUEUE_DESC_HIGH -> q.descTable(q.descTable() & 0xffffffffL | u << 32);
            case VIRTIO_MMIO_QUEUE_AVAIL_LOW -> q.availRing(q.availRing() & ~0xffffffffL | u);
            case VIRTIO_MMIO_QUEUE_AVAIL_HIGH -> q.availRing(q.availRing() & 0xffffffffL | u << 32);
            case VIRTIO_MMIO_QUEUE_USED_LOW -> q.usedRing(q.usedRing() & ~0xffffffffL | u);
            case VIRTIO_MMIO_QUEUE_USED_HIGH -> q.usedRing(q.usedRing() & 0xffffffffL | u << 32);
            default -> { }
        }
    }

    private void setStatus(int v) {
        if (v == 0) {
            reset();
            return;
        }
        int added = v & ~status;
        if ((added & VIRTIO_CONFIG_S_FEATURES_OK) != 0 && !featuresAcceptable()) v &= ~VIRTIO_CONFIG_S_FEATURES_OK;
        if ((added & VIRTIO_CONFIG_S_DRIVER_OK) != 0) {
            String problem = activationProblem();
            if (problem != null) {
                status = v & ~VIRTIO_CONFIG_S_DRIVER_OK;
                fail(problem);
                return;
            }
            status = v | (status & VIRTIO_CONFIG_S_NEEDS_RESET);
            device.activate(mem, queues, driverFeatures, this::signalUsed);
            return;
        }
        status = v | (status & VIRTIO_CONFIG_S_NEEDS_RESET);
    }

    /** §2.2: the driver may accept only offered features, and a version-2 transport needs VIRTIO_F_VERSION_1. */
    private boolean featuresAcceptable() {
        return (driverFeatures & ~device.deviceFeatures()) == 0 && (driverFeatures & VirtioDevice.VIRTIO_F_VERSION_1) != 0;
    }

    private String activationProblem() {
        if ((status & VIRTIO_CONFIG_S_FEATURES_OK) == 0) return "DRIVER_OK before FEATURES_OK";
        for (int i = 0; i < queues.length; i++) {
            Queue q = queues[i];
            if (!q.ready()) continue;  // a driver may leave queues it does not use unconfigured
            String p = q.problem(mem);
            if (p != null) return "queue " + i + ": " + p;
        }
        return null;
    }

    private void queueNotify(int index) {
        if ((status & VIRTIO_CONFIG_S_DRIVER_OK) == 0 || (status & VIRTIO_CONFIG_S_NEEDS_RESET) != 0) return;
        if (index < 0 || index >= queues.length || !queues[index].ready()) return;
        try {
            device.queueNotify(index);
        } catch (VirtioException | GuestMemoryException e) {
            fail(e.getMessage());
        }
    }

    private void reset() {
        device.reset();
        status = 0; deviceFeaturesSel = 0; driverFeaturesSel = 0; driverFeatures = 0; queueSel = 0;
        interruptStatus = 0;
        for (int i = 0; i < queues.length; i++) queues[i] = Queue.fromState(QueueState.reset(queues[i].maxSize()));
    }

    /** §2.1.2: tell the driver the device needs a reset, through a configuration-change interrupt. */
    private void fail(String why) {
        lastError = why;
        status |= VIRTIO_CONFIG_S_NEEDS_RESET;
        configGeneration++;
        interruptStatus |= VIRTIO_MMIO_INT_CONFIG;
        updateIrq();
    }

    private void signalUsed() {
        interruptStatus |= VIRTIO_MMIO_INT_VRING;
        updateIrq();
    }

    private void updateIrq() {
        boolean level = interruptStatus != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }
}
