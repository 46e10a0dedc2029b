/**
 * virtio-rng, the entropy device (virtio 1.x §5.4).
 */
package io.jkvm.vmm.devices.virtio.rng;
