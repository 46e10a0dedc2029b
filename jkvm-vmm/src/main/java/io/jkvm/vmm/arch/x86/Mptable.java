package io.jkvm.vmm.arch.x86;

import io.jkvm.vmm.vstate.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The Intel MultiProcessor Specification 1.4 tables that tell a guest (Linux {@code arch/x86/kernel/mpparse.c})
 * its CPUs and interrupt wiring without ACPI: an MP floating pointer ("_MP_") and an MP configuration table
 * ("PCMP") in the EBDA, with one processor entry per vCPU (APIC id = vCPU id, the first is the BSP), an ISA
 * bus, the IOAPIC (id = number of vCPUs) and ISA IRQs 0–15 routed 1:1 to IOAPIC pins, LINT0 = ExtINT and
 * LINT1 = NMI. Names follow Linux's {@code arch/x86/include/asm/mpspec_def.h}; the layout is Firecracker's
 * {@code mptable.rs}.
 */
public final class Mptable {
    private Mptable() {}

    public static final int MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_INTSRC = 3, MP_LINTSRC = 4;
    public static final int CPU_ENABLED = 1, CPU_BOOTPROCESSOR = 2, MPC_APIC_USABLE = 1;
    public static final int MP_IRQTYPE_INT = 0, MP_IRQTYPE_NMI = 1, MP_IRQTYPE_EXTINT = 3;
    public static final int APIC_VERSION = 0x14, IOAPIC_VERSION = 0x11;
    /** The most vCPUs whose table still fits in the 1 KiB of the EBDA jkvm reserves. */
    public static final int MAX_CPUS = 32;

    /** Writes the tables at {@link Layout#MPTABLE} for {@code cpus} vCPUs; returns their total size. */
    public static int write(GuestMemory mem, int cpus) {
        if (cpus < 1 || cpus > MAX_CPUS) throw new IllegalArgumentException("MP table: 1.." + MAX_CPUS + " vCPUs, not " + cpus);
        int ioapicId = Layout.ioapicId(cpus);
        ByteBuffer t = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        long tableAddr = Layout.MPTABLE + 16;
        // configuration table header (struct mpc_table), length and checksum filled in at the end
        t.put(ascii("PCMP")).putShort((short) 0).put((byte) 4).put((byte) 0).put(ascii("JKVM    "))
                .put(ascii("000000000000")).putInt(0).putShort((short) 0).putShort((short) 0)
                .putInt((int) Layout.APIC_DEFAULT_PHYS_BASE).putInt(0);
        int count = 0;
        for (int i = 0; i < cpus; i++, count++) {
            t.put((byte) MP_PROCESSOR).put((byte) i).put((byte) APIC_VERSION)
                    .put((byte) (CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0)))
                    .putInt(0x600).putInt(0x201).putInt(0).putInt(0);  // family 6; FPU + APIC feature flags
        }
        t.put((byte) MP_BUS).put((byte) 0).put(ascii("ISA   "));
        count++;
        t.put((byte) MP_IOAPIC).put((byte) ioapicId).put((byte) IOAPIC_VERSION).put((byte) MPC_APIC_USABLE)
                .putInt((int) Layout.IOAPIC_ADDR);
        count++;
        for (int irq = 0; irq < 16; irq++, count++) {
            t.put((byte) MP_INTSRC).put((byte) MP_IRQTYPE_INT).putShort((short) 0).put((byte) 0).put((byte) irq)
                    .put((byte) ioapicId).put((byte) irq);
        }
        t.put((byte) MP_LINTSRC).put((byte) MP_IRQTYPE_EXTINT).putShort((short) 0).put((byte) 0).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        t.put((byte) MP_LINTSRC).put((byte) MP_IRQTYPE_NMI).putShort((short) 0).put((byte) 0).put((byte) 0)
                .put((byte) 0xff).put((byte) 1);
        count += 2;
        int length = t.position();
        t.putShort(4, (short) length).putShort(34, (short) count);
        t.put(7, checksum(t.array(), 0, length));
        // floating pointer (struct mpf_intel)
        ByteBuffer f = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        f.put(ascii("_MP_")).putInt((int) tableAddr).put((byte) 1).put((byte) 4).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        f.put(10, checksum(f.array(), 0, 16));
        mem.write(Layout.MPTABLE, f.array());
        mem.write(tableAddr, t.array(), 0, length);
        return 16 + length;
    }

    /** The byte that makes the sum of {@code b[from..from+len)} zero (it must be 0 in the array when called). */
    static byte checksum(byte[] b, int from, int len) {
        int sum = 0;
        for (int i = from; i < from + len; i++) sum += b[i];
        return (byte) -sum;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
