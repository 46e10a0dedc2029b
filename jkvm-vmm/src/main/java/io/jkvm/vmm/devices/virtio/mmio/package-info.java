/**
 * The virtio-mmio transport, version 2 (virtio 1.x §4.2).
 */
package io.jkvm.vmm.devices.virtio.mmio;
