package io.jkvm.linux;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.KvmRun;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.Mem;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checks jkvm's Java view of the KVM ABI against {@code <linux/kvm.h>} as gcc sees it on this machine:
 * ioctl request numbers, the size and every member offset of every {@code struct kvm_*} layout, the
 * {@code struct kvm_run} offsets the accessors use, the {@code KVM_CAP_*} numbers and every {@code KVM_*}
 * constant jkvm names. The header is the truth; a mismatch is a bug on the Java side.
 */
class KvmHeaderTest {

    /**
     * Structs whose members the seed documents differently from the build machine's header, checked against
     * the seed's definition (and for the same size as the header's): Linux 6.1 dropped {@code guest_msi} from
     * kvm_assigned_irq's union, leaving only {@code reserved[12]}; the seed (§4.50) still has it.
     */
    static final Map<String, String> SEED_DEFINED = Map.of("kvm_assigned_irq", """
            struct seed_kvm_assigned_irq {
                __u32 assigned_dev_id; __u32 host_irq; __u32 guest_irq; __u32 flags;
                union { struct { __u32 addr_lo; __u32 addr_hi; __u32 data; } guest_msi; __u32 reserved[12]; };
            };""");

    /** Ioctls newer uapi headers dropped with the device-assignment and alias code (numbers kept by jkvm). */
    static final Set<String> MAY_BE_ABSENT = Set.of("KVM_SET_MEMORY_ALIAS", "KVM_SET_MEMORY_REGION", "KVM_DEBUG_GUEST",
            "KVM_ASSIGN_PCI_DEVICE", "KVM_DEASSIGN_PCI_DEVICE", "KVM_ASSIGN_DEV_IRQ", "KVM_DEASSIGN_DEV_IRQ",
            "KVM_ASSIGN_SET_MSIX_NR", "KVM_ASSIGN_SET_MSIX_ENTRY");

    @BeforeEach
    void needsGccAndHeader() {
        CHeader.assumeAvailable();
    }

    @Test
    void ioctlRequestNumbers() throws Exception {
        CHeader.Program p = new CHeader.Program();
        KvmIoctls.all().keySet().forEach(n -> p.printIfDefined(n, n));
        Map<String, Long> c = p.run();
        List<String> wrong = new ArrayList<>(), absent = new ArrayList<>();
        KvmIoctls.all().forEach((name, java) -> {
            Long want = c.get(name);
            if (want == null) absent.add(name);
            else if (want.longValue() != java) wrong.add(String.format("%s: java %#x, header %#x", name, java, want));
        });
        assertEquals(List.of(), wrong);
        absent.removeIf(n -> {
            if (!MAY_BE_ABSENT.contains(n)) return false;
            System.err.println("NOTE: " + n + " is not in this <linux/kvm.h>; its number is not checked");
            return true;
        });
        assertEquals(List.of(), absent, "ioctls the header does not define");
        assertTrue(c.size() >= 60, "checked " + c.size() + " request numbers");
    }

    @Test
    void structSizesAndMemberOffsets() throws Exception {
        Map<String, GroupLayout> layouts = UapiLayouts.all();
        CHeader.Program p = new CHeader.Program();
        SEED_DEFINED.values().forEach(p::declare);
        for (var e : layouts.entrySet()) {
            String tag = e.getKey();
            String type = SEED_DEFINED.containsKey(tag) ? "struct seed_" + tag : "struct " + tag;
            p.print("sizeof " + tag, "sizeof(struct " + tag + ")");
            p.print("sizeof " + type, "sizeof(" + type + ")");
            for (UapiLayouts.Member m : UapiLayouts.members(e.getValue())) {
                p.print("offsetof " + tag + " " + m.designator(), "offsetof(" + type + ", " + m.designator() + ")");
                p.print("sizeof " + tag + " " + m.designator(), "sizeof(((" + type + " *) 0)->" + m.designator() + ")");
            }
        }
        Map<String, Long> c = p.run();
        List<String> wrong = new ArrayList<>();
        int members = 0;
        for (var e : layouts.entrySet()) {
            String tag = e.getKey();
            long size = e.getValue().byteSize();
            if (c.get("sizeof " + tag) != size) wrong.add("sizeof(struct " + tag + "): java " + size + ", header " + c.get("sizeof " + tag));
            for (UapiLayouts.Member m : UapiLayouts.members(e.getValue())) {
                members++;
                long off = c.get("offsetof " + tag + " " + m.designator()), sz = c.get("sizeof " + tag + " " + m.designator());
                if (off != m.offset() || sz != m.size())
                    wrong.add(String.format("%s.%s: java offset %d size %d, header offset %d size %d", tag, m.designator(),
                            m.offset(), m.size(), off, sz));
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(layouts.size() >= 40 && members >= 300, layouts.size() + " structs, " + members + " members checked");
        for (String tag : SEED_DEFINED.keySet())
            assertEquals(c.get("sizeof " + tag), c.get("sizeof struct seed_" + tag), "the seed's " + tag + " has the header's size");
    }

    @Test
    void kvmRunAccessorsUseTheHeadersOffsets() throws Exception {
        CHeader.Program p = new CHeader.Program();
        for (KvmRunFields.Field f : KvmRunFields.ALL) {
            p.print("offsetof " + f.designator(), "offsetof(struct kvm_run, " + f.designator() + ")");
            p.print("sizeof " + f.designator(), "sizeof(((struct kvm_run *) 0)->" + f.designator() + ")");
        }
        p.print("offsetof insn_bytes", "offsetof(struct kvm_run, emulation_failure.insn_bytes)");
        p.print("sizeof kvm_run", "sizeof(struct kvm_run)");
        Map<String, Long> c = p.run();

        assertTrue(c.get("sizeof kvm_run") <= KvmRun.SIZE, "jkvm's kvm_run block holds struct kvm_run");
        MemorySegment seg = MemorySegment.ofArray(new byte[KvmRun.SIZE]);
        KvmRun run = new KvmRun(seg);
        List<String> wrong = new ArrayList<>();
        for (KvmRunFields.Field f : KvmRunFields.ALL) {
            long off = c.get("offsetof " + f.designator());
            int size = c.get("sizeof " + f.designator()).intValue();
            long marker = switch (size) {
                case 1 -> 0x5aL;
                case 2 -> 0xbeefL;
                case 4 -> 0x12345678L;
                case 8 -> 0x1122334455667788L;
                default -> throw new AssertionError(f.designator() + " is " + size + " bytes");
            };
            // Read: the marker at the header's offset, every other byte 0xa5: a wrong offset or width shows.
            seg.fill((byte) 0xa5);
            put(seg, off, size, marker);
            long got = f.get().applyAsLong(run);
            if (got != marker) wrong.add(String.format("read %s (offset %d, %d bytes): got %#x", f.designator(), off, size, got));
            if (f.set() == null) continue;
            // Write: exactly the header's bytes change.
            seg.fill((byte) 0);
            f.set().accept(run, marker);
            byte[] all = seg.toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < all.length; i++) {
                byte want = i >= off && i < off + size ? (byte) (marker >>> (8 * (i - off))) : 0;
                if (all[i] != want) {
                    wrong.add(String.format("write %s (offset %d, %d bytes): byte %d is %#x", f.designator(), off, size, i, all[i]));
                    break;
                }
            }
        }
        // emulation_failure.insn_bytes: insn_size bytes at the header's offset.
        seg.fill((byte) 0);
        put(seg, c.get("offsetof emulation_failure.insn_size"), 1, 3);
        long ib = c.get("offsetof insn_bytes");
        put(seg, ib, 3, 0x0fc1f0);
        assertArrayEquals(new byte[] {(byte) 0xf0, (byte) 0xc1, 0x0f}, run.emulation_failure_insn_bytes(), "emulation_failure.insn_bytes");
        assertEquals(List.of(), wrong);
    }

    private static void put(MemorySegment seg, long off, int size, long v) {
        for (int i = 0; i < size; i++) Mem.u8(seg, off + i, (int) (v >>> (8 * i)));
    }

    @Test
    void capNumbersMatchEveryHeaderCap() throws Exception {
        TreeSet<String> caps = new TreeSet<>();
        for (String m : CHeader.macros()) if (m.startsWith("KVM_CAP_")) caps.add(m);
        CHeader.Program p = new CHeader.Program();
        caps.forEach(n -> p.print(n, n));
        Map<String, Long> c = p.run();
        List<String> wrong = new ArrayList<>();
        for (String name : caps) {
            Cap cap;
            try {
                cap = Cap.valueOf(name);
            } catch (IllegalArgumentException e) {
                wrong.add(name + " = " + c.get(name) + " is missing from Cap");
                continue;
            }
            if (cap.number != c.get(name)) wrong.add(name + ": Cap " + cap.number + ", header " + c.get(name));
        }
        assertEquals(List.of(), wrong);
        assertTrue(caps.size() > 200, caps.size() + " caps in the header");
        List<String> extra = new ArrayList<>();
        for (Cap cap : Cap.values()) if (!caps.contains(cap.name())) extra.add(cap.name());
        System.err.println("NOTE: " + extra.size() + " Cap constants are newer or older than this header (scripts/gen/caps-extra.txt): " + extra);
    }

    @Test
    void namedConstantsMatchTheHeader() throws Exception {
        List<Class<?>> owners = new ArrayList<>(List.of(Kvm.class, KvmRun.class, VcpuExit.class));
        for (String cls : UapiLayouts.classNames()) owners.add(Class.forName(cls));
        TreeSet<String> macros = CHeader.macros();
        CHeader.Program p = new CHeader.Program();
        List<String[]> checked = new ArrayList<>();
        List<String> notInHeader = new ArrayList<>();
        for (Class<?> owner : owners) {
            for (Field f : owner.getFields()) {
                int mod = f.getModifiers();
                if (!Modifier.isStatic(mod) || !Modifier.isFinal(mod) || !f.getName().startsWith("KVM_")) continue;
                if (f.getType() != int.class && f.getType() != long.class) continue;
                if (!macros.contains(f.getName())) {
                    notInHeader.add(owner.getSimpleName() + "." + f.getName());
                    continue;
                }
                long v = ((Number) f.get(null)).longValue();
                checked.add(new String[] {owner.getSimpleName() + "." + f.getName(), f.getName(), Long.toString(v), f.getType().getName()});
                p.print(f.getName(), f.getName());
            }
        }
        Map<String, Long> c = p.run();
        List<String> wrong = new ArrayList<>();
        for (String[] k : checked) {
            long java = Long.parseLong(k[2]), header = c.get(k[1]);
            if (k[3].equals("int")) header = (int) header;  // the header's value as a Java int
            if (java != header) wrong.add(k[0] + ": java " + java + ", header " + header);
        }
        if (!notInHeader.isEmpty()) System.err.println("NOTE: not in this <linux/kvm.h>, not checked: " + notInHeader);
        assertEquals(List.of(), wrong);
        assertTrue(checked.size() >= 90, checked.size() + " constants checked");
    }
}
