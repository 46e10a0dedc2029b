/**
 * PC legacy devices as pure models (registers in, registers out, state as a record): 16550A UART, i8042, CMOS/RTC, port 0x80, isa-debug-exit, fw_cfg, and the ACPI power-management ports (sleep control/status, reset).
 */
package io.jkvm.vmm.devices.legacy;
