package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * {@code struct kvm_pit_state2}: the in-kernel i8254 PIT's three channels and flags (KVM_GET_PIT2 /
 * KVM_SET_PIT2, KVM_CAP_PIT_STATE2). {@code flags} bit 0 is KVM_PIT_FLAGS_HPET_LEGACY.
 */
public record PitState2(List<PitChannelState> channels, int flags) {
    public static final int KVM_PIT_FLAGS_HPET_LEGACY = 0x1, KVM_PIT_FLAGS_SPEAKER_DATA_ON = 0x2;
    /** {@code struct kvm_pit_config} flag for KVM_CREATE_PIT2: emulate port 0x61 (speaker) as a dummy. */
    public static final int KVM_PIT_SPEAKER_DUMMY = 1;
    /** sizeof(struct kvm_pit_config): u32 flags + u32 pad[15]. */
    public static final long PIT_CONFIG_SIZE = 64;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(3, PitChannelState.LAYOUT).withName("channels"), JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(9, JAVA_INT).withName("reserved")).withName("kvm_pit_state2");

    public PitState2 {
        if (channels.size() != 3) throw new IllegalArgumentException("the PIT has 3 channels");
        channels = List.copyOf(channels);
    }

    public static PitState2 read(MemorySegment m) {
        long cs = PitChannelState.LAYOUT.byteSize();
        return new PitState2(List.of(PitChannelState.read(m, 0), PitChannelState.read(m, cs), PitChannelState.read(m, 2 * cs)),
                Mem.u32(m, 3 * cs));
    }

    public void write(MemorySegment m) {
        m.asSlice(0, LAYOUT.byteSize()).fill((byte) 0);
        long cs = PitChannelState.LAYOUT.byteSize();
        for (int i = 0; i < 3; i++) channels.get(i).write(m, i * cs);
        Mem.u32(m, 3 * cs, flags);
    }
}
