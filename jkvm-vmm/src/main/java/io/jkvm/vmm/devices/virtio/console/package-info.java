/**
 * virtio-console with one port (virtio 1.x §5.3).
 */
package io.jkvm.vmm.devices.virtio.console;
