/**
 * virtio-blk (virtio 1.x §5.2) and the raw disk image behind it.
 */
package io.jkvm.vmm.devices.virtio.block;
