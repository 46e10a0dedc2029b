package io.jkvm.vmm.devices.virtio.mmio;

import io.jkvm.vmm.devices.virtio.QueueState;
import java.util.List;

/**
 * The virtio-mmio registers of one device (virtio 1.x §4.2.2), without the device's own state.
 *
 * @param status device status (ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK, DEVICE_NEEDS_RESET, FAILED)
 * @param deviceFeaturesSel DeviceFeaturesSel
 * @param driverFeaturesSel DriverFeaturesSel
 * @param driverFeatures the 64 feature bits the driver wrote through DriverFeatures
 * @param queueSel QueueSel
 * @param interruptStatus InterruptStatus (bit 0 used buffer, bit 1 configuration change)
 * @param configGeneration ConfigGeneration
 * @param queues every queue's configuration and ring positions
 */
public record MmioTransportState(int status, int deviceFeaturesSel, int driverFeaturesSel, long driverFeatures,
                                 int queueSel, int interruptStatus, int configGeneration, List<QueueState> queues) {
    public MmioTransportState {
        queues = List.copyOf(queues);
    }
}
