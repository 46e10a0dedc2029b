/**
 * virtio 1.x: the split virtqueue with its guest-input checks, descriptor chains, and the transport-independent {@link io.jkvm.vmm.devices.virtio.VirtioDevice}.
 */
package io.jkvm.vmm.devices.virtio;
