package io.jkvm.x86.exc;

/** Exception vectors (SDM Vol. 3A §6.3.1), Linux's trap names. */
public final class Vector {
    private Vector() {}

    public static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
            SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19, VE = 20, CP = 21;

    /** Vectors that push an error code. */
    public static boolean hasErrorCode(int v) {
        return v == DF || v == TS || v == NP || v == SS || v == GP || v == PF || v == AC || v == CP;
    }

    /** Contributory exceptions for the double-fault rules (SDM Table 6-4). */
    public static boolean contributory(int v) {
        return v == DE || v == TS || v == NP || v == SS || v == GP;
    }

    public static String name(int v) {
        return switch (v) {
            case DE -> "#DE"; case DB -> "#DB"; case NMI -> "NMI"; case BP -> "#BP"; case OF -> "#OF"; case BR -> "#BR";
            case UD -> "#UD"; case NM -> "#NM"; case DF -> "#DF"; case TS -> "#TS"; case NP -> "#NP"; case SS -> "#SS";
            case GP -> "#GP"; case PF -> "#PF"; case MF -> "#MF"; case AC -> "#AC"; case MC -> "#MC"; case XM -> "#XM";
            case VE -> "#VE"; case CP -> "#CP";
            default -> "vector " + v;
        };
    }
}
