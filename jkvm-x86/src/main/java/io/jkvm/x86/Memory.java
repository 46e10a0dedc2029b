package io.jkvm.x86;

import io.jkvm.x86.exc.GuestFault;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.exec.Exit;
import io.jkvm.x86.exec.ExitRequest;
import io.jkvm.x86.mmu.Access;
import io.jkvm.x86.mmu.Paging;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Linear and physical memory access for the CPU: a direct-mapped software TLB per access kind and
 * privilege (supervisor/user) in front of {@link Paging}, RAM through the slots' segments, and MMIO that
 * either an in-kernel device handles or becomes an exit. MMIO reads are replayed: the first attempt exits
 * and unwinds the instruction, the next run re-executes it and consumes the VMM's answer in order.
 */
public abstract class Memory extends CpuState {
    static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort W = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt D = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong Q = ValueLayout.JAVA_LONG_UNALIGNED;

    public static final int TLB_BITS = 8, TLB_SIZE = 1 << TLB_BITS, TLB_MASK = TLB_SIZE - 1;

    public final Platform platform;
    public final GuestFault fault = new GuestFault();
    public final ExitRequest exitRequest = new ExitRequest();

    // TLB[kind][user][index]: tag = linear page number (or -1), the page's segment and its offset there.
    // Flat arrays indexed by ((kind << 1 | user) << TLB_BITS) | index, so a hit costs one array load each.
    private final long[] tlbTag = new long[6 * TLB_SIZE];
    private final MemorySegment[] tlbSeg = new MemorySegment[6 * TLB_SIZE];
    private final long[] tlbOff = new long[6 * TLB_SIZE];
    /** Write TLB only (indexed by user << TLB_BITS | index): the slot and the page number in it, told of each write. */
    private final RamSlot[] tlbSlot = new RamSlot[2 * TLB_SIZE];
    private final int[] tlbPage = new int[2 * TLB_SIZE];
    /** Which TLB half serves "current privilege" accesses: 1 at CPL3. */
    protected int tlbUser;

    public final Paging paging = new Paging(this);

    // ---- exits queued by this instruction (MMIO writes, port output) and replayed answers (MMIO reads, IN)
    public int exitReason = Exit.NONE;
    /**
     * Set by anything that must end the current block after the instruction retires (a queued exit, HLT, a
     * mode change): the run loop tests this one field per instruction instead of each condition.
     */
    public boolean attention;
    public long exitAddr;         // MMIO gpa or port
    public int exitLen;           // bytes
    public boolean exitWrite;
    public long exitData;         // MMIO write data / OUT value
    /** Elements of a string I/O exit (their bytes are in {@link #ioBuffer}); 1 for everything else. */
    public int exitCount = 1;
    /** The exit is string I/O (INS/OUTS): its data live in {@link #ioBuffer}, even for one element. */
    public boolean exitString;
    /** Packed data of string port I/O (at most one page, as KVM's PIO page). */
    public final byte[] ioBuffer = new byte[4096];
    /** Element count of string-IN data the VMM placed in {@link #ioBuffer} for the INS being replayed, else 0. */
    public int insReady;
    /**
     * Room for the exits one instruction can queue: FXSAVE/XSAVE's 512+64-byte image into MMIO is 72
     * quadword writes, each its own KVM_EXIT_MMIO (as KVM's emulator splits it into fragments).
     */
    private static final int MAX_QUEUED = 128;
    private final long[] queuedAddr = new long[MAX_QUEUED], queuedData = new long[MAX_QUEUED];
    private final int[] queuedLen = new int[MAX_QUEUED], queuedKind = new int[MAX_QUEUED], queuedElems = new int[MAX_QUEUED];
    private final boolean[] queuedString = new boolean[MAX_QUEUED];
    private int queuedHead, queuedCount;
    private final long[] replayAddr = new long[8], replayData = new long[8];
    private final int[] replayLen = new int[8];
    private int replayCount, replayPos;

    protected Memory(Platform platform) {
        this.platform = platform;
        flushTlb();
    }

    // ================================================================ faults

    public final GuestFault fault(int vector, int errorCode) {
        return fault.set(vector, errorCode, Vector.hasErrorCode(vector));
    }

    public final GuestFault fault(int vector) {
        return fault.set(vector, 0, false);
    }

    // ================================================================ TLB

    public final void flushTlb() {
        java.util.Arrays.fill(tlbTag, -1L);
    }

    /** INVLPG: drop every entry for the page of {@code la}. */
    public final void flushTlbPage(long la) {
        int i = (int) (la >>> 12) & TLB_MASK;
        for (int k = 0; k < 6; k++) tlbTag[(k << TLB_BITS) | i] = -1;
    }

    /** Flat TLB index of {@code la} for access {@code kind} at privilege {@code user}. */
    private static int tlbIndex(long la, int kind, int user) {
        return ((kind << 1 | user) << TLB_BITS) | ((int) (la >>> 12) & TLB_MASK);
    }

    /** Translates {@code la}, fills its TLB entry and returns the flat index, or -1 when the page is not plain RAM. */
    private int fill(long la, int kind, int user) {
        long pa = paging.translate(la, kind, user != 0);
        RamSlot s = platform.slotOf(pa);
        if (s == null || (kind == Access.WRITE && s.readonly)) return -1;
        long pageOff = (pa & ~0xfffL) - s.gpa;
        if (pageOff + 4096 > s.size) return -1;          // partial page at the slot's end: slow path
        int x = tlbIndex(la, kind, user);
        tlbTag[x] = la >>> 12;
        tlbSeg[x] = s.memory;
        tlbOff[x] = pageOff;
        if (kind == Access.WRITE) {
            int w = x & (2 * TLB_SIZE - 1);               // user << TLB_BITS | index
            tlbSlot[w] = s;
            tlbPage[w] = (int) (pageOff >>> 12);
            if (s.dirty != null) s.dirty[(int) (pageOff >>> 12)] = 1;
        }
        return x;
    }

    // ================================================================ reads (current privilege)

    public final int read8(long la) {
        int x = tlbIndex(la, 0, tlbUser);
        if (tlbTag[x] == la >>> 12) return tlbSeg[x].get(B, tlbOff[x] + (la & 0xfff)) & 0xff;
        return (int) readSlow(la, 1, tlbUser);
    }

    public final int read16(long la) {
        int x = tlbIndex(la, 0, tlbUser);
        if (tlbTag[x] == la >>> 12 && (la & 0xfff) <= 0xffe) return tlbSeg[x].get(W, tlbOff[x] + (la & 0xfff)) & 0xffff;
        return (int) readSlow(la, 2, tlbUser);
    }

    public final int read32(long la) {
        int x = tlbIndex(la, 0, tlbUser);
        if (tlbTag[x] == la >>> 12 && (la & 0xfff) <= 0xffc) return tlbSeg[x].get(D, tlbOff[x] + (la & 0xfff));
        return (int) readSlow(la, 4, tlbUser);
    }

    public final long read64(long la) {
        int x = tlbIndex(la, 0, tlbUser);
        if (tlbTag[x] == la >>> 12 && (la & 0xfff) <= 0xff8) return tlbSeg[x].get(Q, tlbOff[x] + (la & 0xfff));
        return readSlow(la, 8, tlbUser);
    }

    /** Read of {@code size} (1, 2, 4, 8) bytes, zero-extended. */
    public final long read(long la, int size) {
        return switch (size) {
            case 1 -> read8(la);
            case 2 -> read16(la);
            case 4 -> read32(la) & 0xffffffffL;
            default -> read64(la);
        };
    }

    /** Supervisor read regardless of CPL (descriptor tables, TSS, IDT: SDM "implicit supervisor access"). */
    public final long readSys(long la, int size) {
        return readSlow(la, size, 0);
    }

    private long readSlow(long la, int size, int user) {
        if (((la ^ (la + size - 1)) & ~0xfffL) != 0) {     // crosses a page: two halves, low first
            int first = (int) (4096 - (la & 0xfff));
            long lo = readPart(la, first, user);
            long hi = readPart(la + first, size - first, user);
            return lo | hi << (8 * first);
        }
        return readPart(la, size, user);
    }

    private long readPart(long la, int size, int user) {
        int x = tlbIndex(la, 0, user);
        if (tlbTag[x] != la >>> 12) x = fill(la, Access.READ, user);
        if (x >= 0) return getLE(tlbSeg[x], tlbOff[x] + (la & 0xfff), size);
        return readPhysMmio(paging.translate(la, Access.READ, user != 0), size);
    }

    private static long getLE(MemorySegment m, long off, int size) {
        return switch (size) {
            case 1 -> m.get(B, off) & 0xffL;
            case 2 -> m.get(W, off) & 0xffffL;
            case 4 -> m.get(D, off) & 0xffffffffL;
            case 8 -> m.get(Q, off);
            default -> {
                long v = 0;
                for (int k = 0; k < size; k++) v |= (m.get(B, off + k) & 0xffL) << (8 * k);
                yield v;
            }
        };
    }

    /**
     * Read half of a read-modify-write: translated as a write, so a fault carries W=1 and a read-only page
     * faults before anything happens — as the CPU checks an RMW destination.
     */
    public final long readRmw(long la, int size) {
        int x = tlbIndex(la, 1, tlbUser);
        if (tlbTag[x] == la >>> 12 && (la & 0xfff) <= 4096 - size) return getLE(tlbSeg[x], tlbOff[x] + (la & 0xfff), size);
        if (((la ^ (la + size - 1)) & ~0xfffL) != 0) {
            paging.translate(la, Access.WRITE, tlbUser != 0);
            paging.translate((la + size - 1) & ~0xfffL, Access.WRITE, tlbUser != 0);   // CR2 = first byte on that page
            return readSlow(la, size, tlbUser);
        }
        x = fill(la, Access.WRITE, tlbUser);
        if (x >= 0) return getLE(tlbSeg[x], tlbOff[x] + (la & 0xfff), size);
        return readPhysMmio(paging.translate(la, Access.WRITE, tlbUser != 0), size);
    }

    /**
     * Atomic compare-and-swap for LOCK-prefixed read-modify-write: true when memory held {@code expected}
     * and now holds {@code value}. The caller read {@code expected} with {@link #readRmw} and retries on false.
     */
    public final boolean cas(long la, int size, long expected, long value) {
        expected &= mask(size);
        value &= mask(size);
        int x = tlbIndex(la, 1, tlbUser);
        boolean onePage = (la & 0xfff) <= 4096 - size;
        if (onePage && tlbTag[x] != la >>> 12) x = fill(la, Access.WRITE, tlbUser);
        if (onePage && x >= 0) {
            MemorySegment m = tlbSeg[x];
            long off = tlbOff[x] + (la & 0xfff);
            if (io.jkvm.x86.mmu.Atomics.lockFree(m, off, size)) {
                boolean ok = io.jkvm.x86.mmu.Atomics.cas(m, off, size, expected, value);
                if (ok) markDirty(x);
                return ok;
            }
        }
        synchronized (io.jkvm.x86.mmu.Atomics.SPLIT_LOCK) {       // split, unaligned, MMIO or heap memory
            if (readRmw(la, size) != expected) return false;
            write(la, size, value);
            return true;
        }
    }

    // ================================================================ writes (current privilege)

    private void markDirty(int x) {
        int w = x & (2 * TLB_SIZE - 1);
        tlbSlot[w].writtenPage(tlbPage[w]);
    }

    public final void write8(long la, int v) {
        int x = tlbIndex(la, 1, tlbUser);
        if (tlbTag[x] == la >>> 12) {
            tlbSeg[x].set(B, tlbOff[x] + (la & 0xfff), (byte) v);
            markDirty(x);
            return;
        }
        writeSlow(la, 1, v, tlbUser);
    }

    public final void write16(long la, int v) {
        int x = tlbIndex(la, 1, tlbUser);
        if (tlbTag[x] == la >>> 12 && (la & 0xfff) <= 0xffe) {
            tlbSeg[x].set(W, tlbOff[x] + (la & 0xfff), (short) v);
            markDirty(x);
            return;
        }
        writeSlow(la, 2, v, tlbUser);
    }

    public final void write32(long la, int v) {
        int x = tlbIndex(la, 1, tlbUser);
        if (tlbTag[x] == la >>> 12 && (la & 0xfff) <= 0xffc) {
            tlbSeg[x].set(D, tlbOff[x] + (la & 0xfff), v);
            markDirty(x);
            return;
        }
        writeSlow(la, 4, v & 0xffffffffL, tlbUser);
    }

    public final void write64(long la, long v) {
        int x = tlbIndex(la, 1, tlbUser);
        if (tlbTag[x] == la >>> 12 && (la & 0xfff) <= 0xff8) {
            tlbSeg[x].set(Q, tlbOff[x] + (la & 0xfff), v);
            markDirty(x);
            return;
        }
        writeSlow(la, 8, v, tlbUser);
    }

    public final void write(long la, int size, long v) {
        switch (size) {
            case 1 -> write8(la, (int) v);
            case 2 -> write16(la, (int) v);
            case 4 -> write32(la, (int) v);
            default -> write64(la, v);
        }
    }

    /** Supervisor write regardless of CPL (descriptor accessed bits, TSS). */
    public final void writeSys(long la, int size, long v) {
        writeSlow(la, size, v, 0);
    }

    /**
     * Checks that {@code [la, la+size)} is writable without writing (instructions that must not fault
     * half-way, e.g. far calls pushing several words, probe first).
     */
    public final void probeWrite(long la, int size) {
        paging.translate(la, Access.WRITE, tlbUser != 0);
        if (((la ^ (la + size - 1)) & ~0xfffL) != 0) paging.translate((la + size - 1) & ~0xfffL, Access.WRITE, tlbUser != 0);   // CR2 = first byte on that page
    }

    private void writeSlow(long la, int size, long v, int user) {
        if (((la ^ (la + size - 1)) & ~0xfffL) != 0) {
            int first = (int) (4096 - (la & 0xfff));
            // translate both pages before writing either, so a #PF on the second leaves memory untouched
            paging.translate(la, Access.WRITE, user != 0);
            paging.translate(la + first, Access.WRITE, user != 0);
            writePart(la, first, v, user);
            writePart(la + first, size - first, v >>> (8 * first), user);
            return;
        }
        writePart(la, size, v, user);
    }

    private void writePart(long la, int size, long v, int user) {
        int x = tlbIndex(la, 1, user);
        if (tlbTag[x] != la >>> 12) x = fill(la, Access.WRITE, user);
        if (x >= 0) {
            MemorySegment m = tlbSeg[x];
            long off = tlbOff[x] + (la & 0xfff);
            for (int k = 0; k < size; k++) m.set(B, off + k, (byte) (v >>> (8 * k)));
            markDirty(x);
            return;
        }
        writePhysMmio(paging.translate(la, Access.WRITE, user != 0), size, v);
    }

    // ================================================================ instruction fetch

    /** Translates {@code la} for execution at the current privilege (used by the block cache). */
    public final long translateExec(long la) {
        int x = tlbIndex(la, Access.EXEC, tlbUser);
        if (tlbTag[x] == la >>> 12) return execPa[x & (2 * TLB_SIZE - 1)] | (la & 0xfff);
        long pa = paging.translate(la, Access.EXEC, tlbUser != 0);
        tlbTag[x] = la >>> 12;
        execPa[x & (2 * TLB_SIZE - 1)] = pa & ~0xfffL;
        return pa;
    }

    private final long[] execPa = new long[2 * TLB_SIZE];

    /** Fetches an instruction byte at linear {@code la} (decoder slow path). */
    public final int fetch8(long la) {
        long pa = translateExec(la);
        RamSlot s = platform.slotOf(pa);
        if (s == null) return -1;
        return s.memory.get(B, pa - s.gpa) & 0xff;
    }

    // ================================================================ physical memory

    private RamSlot lastSlot;

    public final RamSlot slot(long pa) {
        RamSlot s = lastSlot;
        if (s != null && s.contains(pa)) return s;
        s = platform.slotOf(pa);
        if (s != null) lastSlot = s;
        return s;
    }

    /** Physical read for page walks; non-RAM reads as all ones (as an unclaimed bus would). */
    public final long physRead64(long pa) {
        RamSlot s = slot(pa);
        if (s == null || pa - s.gpa + 8 > s.size) return -1L;
        return s.memory.get(Q, pa - s.gpa);
    }

    public final int physRead32(long pa) {
        RamSlot s = slot(pa);
        if (s == null || pa - s.gpa + 4 > s.size) return -1;
        return s.memory.get(D, pa - s.gpa);
    }

    public final void physWrite64(long pa, long v) {
        RamSlot s = slot(pa);
        if (s == null || s.readonly || pa - s.gpa + 8 > s.size) return;
        s.memory.set(Q, pa - s.gpa, v);
        s.written(pa);
    }

    public final void physWrite32(long pa, int v) {
        RamSlot s = slot(pa);
        if (s == null || s.readonly || pa - s.gpa + 4 > s.size) return;
        s.memory.set(D, pa - s.gpa, v);
        s.written(pa);
    }

    /** A read that found no RAM: slot end, in-kernel device, replayed answer, or an MMIO exit. */
    private long readPhysMmio(long pa, int size) {
        RamSlot s = platform.slotOf(pa);
        if (s != null) {                                   // RAM, but crossing the slot's end byte by byte
            long v = 0;
            for (int k = 0; k < size; k++) v |= (long) physRead8(pa + k) << (8 * k);
            return v;
        }
        if (platform.mmioRead((Cpu) this, pa, size)) return mmioValue & mask(size);
        return replayOrExit(Exit.MMIO, pa, size);
    }

    private int physRead8(long pa) {
        RamSlot s = platform.slotOf(pa);
        if (s == null) {
            if (platform.mmioRead((Cpu) this, pa, 1)) return (int) mmioValue & 0xff;
            return (int) replayOrExit(Exit.MMIO, pa, 1);
        }
        return s.memory.get(B, pa - s.gpa) & 0xff;
    }

    private void writePhysMmio(long pa, int size, long v) {
        RamSlot s = platform.slotOf(pa);
        if (s != null && !s.readonly) {
            for (int k = 0; k < size; k++) {
                RamSlot t = platform.slotOf(pa + k);
                if (t != null && !t.readonly) {
                    t.memory.set(B, pa + k - t.gpa, (byte) (v >>> (8 * k)));
                    t.written(pa + k);
                } else {
                    writePhysMmio(pa + k, 1, v >>> (8 * k));
                }
            }
            return;
        }
        if (platform.mmioWrite((Cpu) this, pa, size, v & mask(size))) return;
        queueExit(Exit.MMIO, pa, size, v & mask(size));
    }

    static long mask(int size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }

    // ================================================================ exits and replay

    /**
     * Returns the VMM's answer to this access if the instruction is being replayed, else records the exit
     * and unwinds the instruction.
     */
    public final long replayOrExit(int kind, long addr, int size) {
        if (replayPos < replayCount) {
            int k = replayPos++;
            if (replayAddr[k] == addr && replayLen[k] == size) return replayData[k] & mask(size);
            replayPos = replayCount = 0;                    // the guest changed its mind: forget the answers
        }
        exitReason = kind;
        exitAddr = addr;
        exitLen = size;
        exitWrite = false;
        exitData = 0;
        exitCount = 1;
        exitString = false;
        throw exitRequest;
    }

    /** The VMM answered the read exit in progress with {@code data}; the replay will consume it. */
    public final void supplyReadAnswer(long data) {
        if (replayCount < replayAddr.length) {
            replayAddr[replayCount] = exitAddr;
            replayLen[replayCount] = exitLen;
            replayData[replayCount] = data;
            replayCount++;
        }
        replayPos = 0;
    }

    /** Called when an instruction retires: its replayed answers are used up. */
    public final void retireReplay() {
        if (replayCount != 0) {
            replayCount = 0;
            replayPos = 0;
        }
    }

    /** Queues an exit that does not block the instruction (MMIO write, OUT); it is reported after it retires. */
    public final void queueExit(int kind, long addr, int size, long data) {
        queueExit(kind, addr, size, data, 1, false);
    }

    /** Queues an exit of {@code count} elements (string OUT: the data are in {@link #ioBuffer}). */
    public final void queueExit(int kind, long addr, int size, long data, int count, boolean string) {
        if (queuedCount == queuedAddr.length) throw new io.jkvm.x86.exec.Unimplemented("more than " + MAX_QUEUED + " exits in one instruction");
        int k = (queuedHead + queuedCount++) % queuedAddr.length;
        queuedElems[k] = count;
        attention = true;
        queuedString[k] = string;
        queuedKind[k] = kind;
        queuedAddr[k] = addr;
        queuedLen[k] = size;
        queuedData[k] = data;
    }

    public final boolean hasQueuedExit() {
        return queuedCount > 0;
    }

    /** Moves the oldest queued exit into the exit* fields; returns its kind. */
    public final int popQueuedExit() {
        int k = queuedHead;
        queuedHead = (queuedHead + 1) % queuedAddr.length;
        queuedCount--;
        exitReason = queuedKind[k];
        exitAddr = queuedAddr[k];
        exitLen = queuedLen[k];
        exitData = queuedData[k];
        exitCount = queuedElems[k];
        exitString = queuedString[k];
        exitWrite = true;
        return exitReason;
    }
}
