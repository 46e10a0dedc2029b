/**
 * The jkvm VMM: {@link io.jkvm.vmm.Builder} (the recipe of an x86 machine), {@link io.jkvm.vmm.Machine} (a built machine and its vCPU threads), {@link io.jkvm.vmm.MachineConfig} and {@link io.jkvm.vmm.MachineExit}.
 */
package io.jkvm.vmm;
