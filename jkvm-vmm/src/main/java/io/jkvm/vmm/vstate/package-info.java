/**
 * What the VMM keeps beside KVM's objects (Firecracker's vstate/): the port-I/O and MMIO {@link io.jkvm.vmm.vstate.Bus}, bounds-checked {@link io.jkvm.vmm.vstate.GuestMemory}, interrupt lines, and the vCPU loop.
 */
package io.jkvm.vmm.vstate;
