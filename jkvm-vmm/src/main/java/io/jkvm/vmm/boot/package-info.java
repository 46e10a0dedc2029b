/**
 * Loaders: Linux bzImage (x86 boot protocol), 64-bit ELF vmlinux, multiboot v1. Each validates its input with a {@link io.jkvm.vmm.boot.BootException} that names the file and the field.
 */
package io.jkvm.vmm.boot;
