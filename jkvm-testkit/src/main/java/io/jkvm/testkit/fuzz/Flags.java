package io.jkvm.testkit.fuzz;

/** RFLAGS arithmetic bits, for tracking which flags the SDM leaves undefined along a sequence. */
final class Flags {
    private Flags() {}

    static final int CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    static final int ALL = CF | PF | AF | ZF | SF | OF;
    static final int SZP = SF | ZF | PF;

    /** Flags read by condition code {@code cc} (Jcc/SETcc/CMOVcc). */
    static int readBy(int cc) {
        return switch (cc >> 1) {
            case 0 -> OF;
            case 1 -> CF;
            case 2 -> ZF;
            case 3 -> CF | ZF;
            case 4 -> SF;
            case 5 -> PF;
            case 6 -> SF | OF;
            default -> ZF | SF | OF;
        };
    }
}
