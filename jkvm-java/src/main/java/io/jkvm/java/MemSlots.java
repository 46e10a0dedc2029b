package io.jkvm.java;

import io.jkvm.api.Errno;
import io.jkvm.api.KvmException;
import io.jkvm.api.uapi.UserspaceMemoryRegion;
import io.jkvm.x86.RamSlot;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The VM's memory slots with KVM_SET_USER_MEMORY_REGION's rules (virt/kvm/kvm_main.c
 * __kvm_set_memory_region): page alignment, slot ids, flags, no overlap, no resize, READONLY fixed at
 * creation. Lookups by guest-physical address read an immutable sorted snapshot, so vCPU threads never
 * lock; updates replace the snapshot.
 */
final class MemSlots {
    /** KVM_USER_MEM_SLOTS on x86. */
    static final int KVM_USER_MEM_SLOTS = 32764;
    /** KVM_MEM_MAX_NR_PAGES: a slot's size in pages must fit 31 bits. */
    static final long KVM_MEM_MAX_NR_PAGES = (1L << 31) - 1;
    /** The architectural physical-address limit (MAXPHYADDR 52), as Linux's kvm_mmu_max_gfn. */
    static final long MAX_GPA = (1L << 52) - 1;
    private static final int VALID_FLAGS = UserspaceMemoryRegion.KVM_MEM_LOG_DIRTY_PAGES | UserspaceMemoryRegion.KVM_MEM_READONLY;

    private volatile RamSlot[] sorted = new RamSlot[0];
    private final RamSlot[] byId = new RamSlot[KVM_USER_MEM_SLOTS];
    /** Bumped on every change; vCPUs drop cached translations when it moves. */
    volatile int generation;

    RamSlot find(long gpa) {
        RamSlot[] s = sorted;
        int lo = 0, hi = s.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            RamSlot m = s[mid];
            if (Long.compareUnsigned(gpa, m.gpa) < 0) hi = mid - 1;
            else if (Long.compareUnsigned(gpa - m.gpa, m.size) >= 0) lo = mid + 1;
            else return m;
        }
        return null;
    }

    synchronized RamSlot byId(int id) {
        return id >= 0 && id < byId.length ? byId[id] : null;
    }

    /** Applies one KVM_SET_USER_MEMORY_REGION; {@code memory} is null or empty to delete. */
    synchronized void set(int slotField, int flags, long gpa, MemorySegment memory, long userspaceAddr) {
        int as = slotField >>> 16, id = slotField & 0xffff;
        long size = memory == null ? 0 : memory.byteSize();
        if ((flags & ~VALID_FLAGS) != 0) throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: invalid flags " + Integer.toHexString(flags));
        if ((size & 0xfff) != 0 || (gpa & 0xfff) != 0 || (userspaceAddr & 0xfff) != 0)
            throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: address or size not page-aligned");
        if (as != 0 || id >= KVM_USER_MEM_SLOTS) throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: bad slot " + slotField);
        if (Long.compareUnsigned(gpa + size, gpa) < 0) throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: range wraps");
        if ((size >>> 12) > KVM_MEM_MAX_NR_PAGES) throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: too large");
        if (size != 0 && Long.compareUnsigned(gpa + size - 1, MAX_GPA) > 0)
            throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: beyond the 52-bit physical address space");
        RamSlot old = byId[id];
        if (size == 0) {
            if (old == null) throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: deleting slot " + id + " that does not exist");
            byId[id] = null;
            publish();
            return;
        }
        if (old != null) {
            if (old.size != size) throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: slot " + id + " cannot be resized");
            if (old.readonly != ((flags & UserspaceMemoryRegion.KVM_MEM_READONLY) != 0))
                throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: KVM_MEM_READONLY cannot change");
            if (old.memory.address() != memory.address() || old.memory.isNative() != memory.isNative())
                throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: slot " + id + " cannot change its memory");
        }
        for (RamSlot s : sorted) {
            if (s.id == id) continue;
            boolean overlap = Long.compareUnsigned(gpa, s.gpa + s.size) < 0 && Long.compareUnsigned(s.gpa, gpa + size) < 0;
            if (overlap) throw new KvmException(Errno.EEXIST, "KVM_SET_USER_MEMORY_REGION: slot " + id + " overlaps slot " + s.id);
        }
        boolean logDirty = (flags & UserspaceMemoryRegion.KVM_MEM_LOG_DIRTY_PAGES) != 0;
        byId[id] = new RamSlot(id, gpa, old != null ? old.memory : memory, (flags & UserspaceMemoryRegion.KVM_MEM_READONLY) != 0, logDirty);
        publish();
    }

    private void publish() {
        RamSlot[] all = Arrays.stream(byId).filter(s -> s != null).sorted((a, b) -> Long.compareUnsigned(a.gpa, b.gpa)).toArray(RamSlot[]::new);
        sorted = all;
        generation++;
    }

    /** KVM_GET_DIRTY_LOG. */
    synchronized void dirtyLog(int slotField, long[] bitmap) {
        int as = slotField >>> 16, id = slotField & 0xffff;
        if (as != 0 || id >= KVM_USER_MEM_SLOTS) throw new KvmException(Errno.EINVAL, "KVM_GET_DIRTY_LOG: bad slot " + slotField);
        RamSlot s = byId[id];
        if (s == null || s.dirty == null) throw new KvmException(Errno.ENOENT, "KVM_GET_DIRTY_LOG: slot " + id + " does not log dirty pages");
        long need = (s.size / 4096 + 63) / 64;
        if (bitmap.length < need) throw new KvmException(Errno.EFAULT, "KVM_GET_DIRTY_LOG: bitmap has " + bitmap.length + " words, slot needs " + need);
        s.collectDirty(bitmap);
    }

    RamSlot[] all() {
        return sorted;
    }
}
