package io.jkvm.x86.flags;

import static io.jkvm.x86.flags.Cc.*;

import io.jkvm.x86.Cpu;

/**
 * Computes arithmetic flags from the lazy state in {@link Cpu} (ccOp, ccSize, ccDst, ccSrc, ccRes, ccAux).
 * Operands and result are kept zero-extended to the operation size. For SHL/SHR/SAR ccSrc is the masked
 * count (never 0: a zero count leaves flags untouched and records nothing). For INC/DEC ccAux holds CF.
 * For ADC/SBB ccAux holds the carry-in.
 */
public final class LazyFlags {
    private LazyFlags() {}

    private static long sign(int size) {
        return 1L << (size * 8 - 1);
    }

    public static boolean cf(Cpu c) {
        long d = c.ccDst, s = c.ccSrc, r = c.ccRes;
        return switch (c.ccOp) {
            case EFLAGS -> (c.ccFlags & CF) != 0;
            case ADD -> Long.compareUnsigned(r, d) < 0;
            case ADC -> c.ccAux != 0 ? Long.compareUnsigned(r, d) <= 0 : Long.compareUnsigned(r, d) < 0;
            case SUB -> Long.compareUnsigned(d, s) < 0;
            case SBB -> c.ccAux != 0 ? Long.compareUnsigned(d, s) <= 0 : Long.compareUnsigned(d, s) < 0;
            case LOGIC -> false;
            case INC, DEC -> c.ccAux != 0;
            case SHL -> s <= c.ccSize * 8 && ((d >>> (c.ccSize * 8 - s)) & 1) != 0;
            case SHR -> ((d >>> (s - 1)) & 1) != 0;
            case SAR -> ((signExtend(d, c.ccSize) >> Math.min(s - 1, 63)) & 1) != 0;
            case MUL -> s != 0;
            case NEG -> d != 0;
            default -> throw new IllegalStateException("ccOp " + c.ccOp);
        };
    }

    public static boolean zf(Cpu c) {
        return c.ccOp == EFLAGS ? (c.ccFlags & ZF) != 0 : c.ccRes == 0;
    }

    public static boolean sf(Cpu c) {
        return c.ccOp == EFLAGS ? (c.ccFlags & SF) != 0 : (c.ccRes & sign(c.ccSize)) != 0;
    }

    public static boolean pf(Cpu c) {
        return c.ccOp == EFLAGS ? (c.ccFlags & PF) != 0 : PARITY[(int) (c.ccRes & 0xff)];
    }

    public static boolean af(Cpu c) {
        long d = c.ccDst, s = c.ccSrc, r = c.ccRes;
        return switch (c.ccOp) {
            case EFLAGS -> (c.ccFlags & AF) != 0;
            case ADD, ADC, SUB, SBB -> ((d ^ s ^ r) & 0x10) != 0;
            case INC -> (r & 0xf) == 0;
            case DEC -> (r & 0xf) == 0xf;
            case NEG -> (d & 0xf) != 0;
            default -> false;  // LOGIC, shifts, MUL: architecturally undefined; 0 as on current CPUs
        };
    }

    public static boolean of(Cpu c) {
        long d = c.ccDst, s = c.ccSrc, r = c.ccRes, sg = sign(c.ccSize);
        return switch (c.ccOp) {
            case EFLAGS -> (c.ccFlags & OF) != 0;
            case ADD, ADC -> ((d ^ r) & (s ^ r) & sg) != 0;
            case SUB, SBB -> ((d ^ s) & (d ^ r) & sg) != 0;
            case LOGIC -> false;
            case INC -> r == sg;
            case DEC -> r == sg - 1;
            case SHL -> (((r & sg) != 0) ^ cf(c));   // defined for count 1; for larger counts what hardware does
            case SHR -> s == 1 ? (d & sg) != 0 : false;
            case SAR -> false;
            case MUL -> s != 0;
            case NEG -> d == sg;
            default -> throw new IllegalStateException("ccOp " + c.ccOp);
        };
    }

    /** The six arithmetic flags as RFLAGS bits. */
    public static int arith(Cpu c) {
        if (c.ccOp == EFLAGS) return c.ccFlags;
        int f = 0;
        if (cf(c)) f |= CF;
        if (pf(c)) f |= PF;
        if (af(c)) f |= AF;
        if (zf(c)) f |= ZF;
        if (sf(c)) f |= SF;
        if (of(c)) f |= OF;
        return f;
    }

    /** Evaluates condition code {@code cc} (0..15). Fast paths for CMP/SUB and logic results. */
    public static boolean cond(Cpu c, int cc) {
        int op = c.ccOp;
        if (op == SUB) {
            long d = c.ccDst, s = c.ccSrc;
            switch (cc) {
                case E: return d == s;
                case NE: return d != s;
                case B: return Long.compareUnsigned(d, s) < 0;
                case AE: return Long.compareUnsigned(d, s) >= 0;
                case BE: return Long.compareUnsigned(d, s) <= 0;
                case A: return Long.compareUnsigned(d, s) > 0;
                case L: return signExtend(d, c.ccSize) < signExtend(s, c.ccSize);
                case GE: return signExtend(d, c.ccSize) >= signExtend(s, c.ccSize);
                case LE: return signExtend(d, c.ccSize) <= signExtend(s, c.ccSize);
                case G: return signExtend(d, c.ccSize) > signExtend(s, c.ccSize);
                default: break;
            }
        } else if (op == LOGIC) {
            long r = c.ccRes;
            switch (cc) {
                case E: return r == 0;
                case NE: return r != 0;
                case S: return (r & sign(c.ccSize)) != 0;
                case NS: return (r & sign(c.ccSize)) == 0;
                default: break;
            }
        }
        boolean v = switch (cc >> 1) {
            case 0 -> of(c);
            case 1 -> cf(c);
            case 2 -> zf(c);
            case 3 -> cf(c) || zf(c);
            case 4 -> sf(c);
            case 5 -> pf(c);
            case 6 -> sf(c) != of(c);
            default -> zf(c) || sf(c) != of(c);
        };
        return (cc & 1) != 0 ? !v : v;
    }

    public static long signExtend(long v, int size) {
        return switch (size) {
            case 1 -> (byte) v;
            case 2 -> (short) v;
            case 4 -> (int) v;
            default -> v;
        };
    }
}
