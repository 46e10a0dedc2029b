/**
 * x86 machine layout and boot-time CPU state: {@link io.jkvm.vmm.arch.x86.Layout}, the e820 map, the MP table, CPUID per vCPU, and the GDT/page tables/registers a loader's entry needs.
 */
package io.jkvm.vmm.arch.x86;
