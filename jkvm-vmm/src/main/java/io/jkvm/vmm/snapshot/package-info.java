/**
 * Snapshot and restore of a paused machine: file format, vCPU and VM state in Linux's restore order, device states, memory.
 */
package io.jkvm.vmm.snapshot;
