/**
 * ACPI tables for jkvm's x86 machine (RSDP, XSDT, FADT, MADT, DSDT; {@link io.jkvm.vmm.arch.x86.acpi.Acpi}
 * writes them) and the small AML encoder the DSDT is written with ({@link io.jkvm.vmm.arch.x86.acpi.Aml},
 * {@link io.jkvm.vmm.arch.x86.acpi.ResourceTemplate}). One table per file, named by its ACPI signature.
 */
package io.jkvm.vmm.arch.x86.acpi;
