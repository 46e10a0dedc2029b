package io.jkvm.testkit.fuzz;

import static io.jkvm.testkit.fuzz.Flags.*;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Random CPL3 instruction sequences for the differential fuzzer: the general-purpose integer instructions
 * with random operand sizes, prefixes, register and memory operands. Memory operands are based on the
 * pointer registers (rBX rBP rSI rDI), which point into the data pages and are never destinations of
 * random arithmetic, so most accesses are valid and the rest fault (#PF/#GP are compared too).
 *
 * <p>The generator tracks which arithmetic flags are undefined (SDM) after each instruction; before an
 * instruction that reads an undefined flag it inserts a CMP, and the comparison masks what is still
 * undefined. Encodings whose result the SDM leaves undefined are not generated (listed in {@link #NOT_GENERATED}).
 */
public final class Generator {
    /** What is deliberately left out, and why (the fuzzer's documented exclusions). */
    public static final String NOT_GENERATED = """
            IN/OUT/INS/OUTS (exit to the VMM, not guest state); INT3/INT n to DPL0 gates (PVM delivers \
            them instead of raising #GP); POPF/IRET (could set TF: single-step is \
            not modelled); RDTSC/RDTSCP/RDRAND/RDPMC/CPUID (host-dependent values); 16-bit SHLD/SHRD by CL \
            and by more than 16 (undefined result); 16-bit BSWAP (undefined); near branches with a 66 \
            prefix in 64-bit mode (AMD and Intel differ); segment-register loads; and in x87/SIMD code what X87Gen \
            and SimdGen list (transcendentals, FBLD, FSTP1, RCP/RSQRT, SSE4a)""";

    // registers in encoding order
    static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
    private static final int[] POINTERS = {RBX, RBP, RSI, RDI};

    final RandomGenerator rnd;
    private final Mode mode;
    /**
     * In 32-bit mode PVM does not run the guest natively: KVM's instruction emulator is the reference, and it
     * lacks MOVBE, POPCNT, LZCNT (runs it as BSR), ENTER with a nesting level and the BCD instructions, and
     * computes AAD's flags from AX; its ENTER/LEAVE use the stack size where the SDM says operand size. Those
     * are generated in long mode only.
     */
    private final boolean emulatedReference;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Integer> starts = new ArrayList<>();
    private final List<Integer> undefAt = new ArrayList<>();
    private final List<Integer> fswUndefAt = new ArrayList<>();
    int undef;
    /** FSW bits (C0–C3) the SDM leaves undefined after the x87 instructions so far. */
    int fswUndef;
    /** x87/MMX/SSE instructions (long mode only: in 32-bit mode the reference is KVM's emulator, which lacks them). */
    private final X87Gen x87;
    private final SimdGen simd;
    /** Percentage of long-mode instructions drawn from the x87 and SIMD families (half each). */
    static final int FP_SHARE = 40;

    public Generator(RandomGenerator rnd, Mode mode) {
        this.rnd = rnd;
        this.mode = mode;
        this.emulatedReference = mode == Mode.PROT32;
        this.x87 = new X87Gen(this);
        this.simd = new SimdGen(this);
    }

    /** A case of about {@code n} instructions ending with the end marker. */
    public FuzzCase next(int n) {
        out.reset();
        starts.clear();
        undefAt.clear();
        fswUndefAt.clear();
        undef = 0;
        fswUndef = 0;
        while (starts.size() < n) one();
        begin();
        emit(0x8a, 0x04, 0x25);                         // mov END_ADDR, %al: the end marker
        emitImm(Layout.END_ADDR, 4);
        int[] s = starts.stream().mapToInt(Integer::intValue).toArray();
        int[] u = undefAt.stream().mapToInt(Integer::intValue).toArray();
        int[] w = fswUndefAt.stream().mapToInt(Integer::intValue).toArray();
        return new FuzzCase(mode, out.toByteArray(), s, u, w, rnd.nextLong());
    }

    boolean m64() {
        return mode == Mode.LONG;
    }

    /** Marks the start of an instruction (for mapping a fault RIP back to the undefined-flags state). */
    void begin() {
        starts.add(out.size());
        undefAt.add(undef);
        fswUndefAt.add(fswUndef);
    }

    void emit(int... bytes) {
        for (int b : bytes) out.write(b);
    }

    void emitImm(long v, int size) {
        for (int k = 0; k < size; k++) out.write((int) (v >>> (8 * k)));
    }

    /** Before anything that stores FSW (FNSTSW, FNSTENV, FXSAVE…): FXAM defines all four condition codes. */
    void defineFsw() {
        if (fswUndef == 0) return;
        begin();
        emit(0xd9, 0xe5);
        fswUndef = 0;
    }

    /** Ensures {@code reads} are defined, inserting CMP r,r first if not. */
    void need(int reads) {
        if ((undef & reads) == 0) return;
        begin();
        int r = dest();
        rex(8, r, r, false);
        emit(0x39, 0xc0 | (r & 7) << 3 | (r & 7));
        undef = 0;
    }

    // ------------------------------------------------------------------ operands

    /** A register the random code may overwrite: never rSP or a pointer register. */
    int dest() {
        if (m64()) {
            int[] d = {RAX, RCX, RDX, 8, 9, 10, 11, 12, 13, 14, 15};
            return d[rnd.nextInt(d.length)];
        }
        return rnd.nextInt(3);      // EAX ECX EDX
    }

    /** Any register as a source. */
    int src() {
        int r = rnd.nextInt(m64() ? 16 : 8);
        return r == RSP ? RAX : r;
    }

    private int size() {
        int k = rnd.nextInt(m64() ? 4 : 3);
        return switch (k) {
            case 0 -> 1;
            case 1 -> 2;
            case 2 -> 4;
            default -> 8;
        };
    }

    /** Byte register numbers without REX must not name AH/CH/DH/BH of a pointer (BH): map to a dest. */
    private int byteSafe(int r, boolean dst) {
        if (m64()) return r;
        if (r >= 4 && r <= 7) {
            int low = r - 4;
            if (dst && low > RDX) return dest();
            if (low == RBX && dst) return dest();
        }
        return r;
    }

    /** Prefixes for {@code size}, then REX (long mode) with W/R/X/B. */
    private void prefixes(int size, int reg, int rm, boolean rmIsReg) {
        if (size == 2) emit(0x66);
        rex(size, reg, rm, !rmIsReg);
    }

    private void rex(int size, int reg, int rm, boolean mem) {
        if (!m64()) return;
        int w = size == 8 ? 8 : 0;
        int r = (reg & 8) >> 1, b = mem ? 0 : (rm & 8) >> 3;
        boolean byteNeedsRex = size == 1 && ((reg >= 4 && reg < 8) || (!mem && rm >= 4 && rm < 8));
        if (w != 0 || r != 0 || b != 0 || byteNeedsRex || rnd.nextInt(8) == 0) emit(0x40 | w | r | b);
    }

    /** A ModRM (+SIB +disp) addressing memory through a pointer register; reg field {@code reg}. */
    void modrmMem(int reg) {
        modrmMem(reg, 1);
    }

    /** As {@link #modrmMem(int)} with a displacement that is a multiple of {@code align} (pointers start 16-aligned). */
    void modrmMem(int reg, int align) {
        int[] m = memOperand(align);
        modrmMem(reg, m[0], m[1]);
    }

    /**
     * A pointer register and a displacement that is a multiple of {@code align}: {base, disp}. Aligned
     * operands use rBX, which random code never moves (string instructions step rSI and rDI by 1–8, and
     * ENTERW/LEAVEW in 64-bit mode pop BP from elsewhere).
     */
    int[] memOperand(int align) {
        int base = align >= 16 ? RBX : POINTERS[rnd.nextInt(POINTERS.length)];
        return new int[] {base, (rnd.nextInt(256) - 128) / align * align};
    }

    /** [base + disp] in one of three encodings; reg field {@code reg}. */
    void modrmMem(int reg, int base, int disp) {
        int kind = rnd.nextInt(10);
        if (kind == 0 || disp != (byte) disp) {              // [base + disp32] via SIB, no index
            emit(0x80 | (reg & 7) << 3 | 4, 0x20 | base);
            emitImm(disp, 4);
        } else if (kind == 1 && base != RBP && disp == 0) {   // [base]
            emit((reg & 7) << 3 | base);
        } else {                                              // [base + disp8]
            emit(0x40 | (reg & 7) << 3 | base, disp & 0xff);
        }
    }

    private void modrmReg(int reg, int rm) {
        emit(0xc0 | (reg & 7) << 3 | (rm & 7));
    }

    /** Emits opcode bytes with an r/m operand that is a register ({@code rmReg >= 0}) or memory. */
    private void rm(int size, int[] opcode, int reg, int rmReg) {
        boolean mem = rmReg < 0;
        if (mem && m64() && rnd.nextInt(12) == 0) emit(rnd.nextBoolean() ? 0x64 : 0x65);   // FS (base 0) / GS
        prefixes(size, reg, mem ? 0 : rmReg, !mem);
        for (int o : opcode) out.write(o);
        if (mem) modrmMem(reg);
        else modrmReg(reg, rmReg);
    }

    // ------------------------------------------------------------------ instruction families

    private void one() {
        if (m64() && rnd.nextInt(100) < FP_SHARE) {
            if (rnd.nextBoolean()) x87.one();
            else simd.one();
            return;
        }
        int pick = rnd.nextInt(100);
        if (pick < 22) alu();
        else if (pick < 27) incDecNotNeg();
        else if (pick < 31) mulDiv();
        else if (pick < 39) shift();
        else if (pick < 42) doubleShift();
        else if (pick < 46) bits();
        else if (pick < 57) mov();
        else if (pick < 62) cmovSetcc();
        else if (pick < 67) stack();
        else if (pick < 71) xchgFamily();
        else if (pick < 75) flagsOps();
        else if (pick < 81) strings();
        else if (pick < 87) branches();
        else if (pick < 91) misc();
        else if (pick < 94) {
            if (!m64() && !emulatedReference) bcd();
            else alu();
        } else if (pick < 95) faults();
        else alu();
    }

    private void alu() {
        int op = rnd.nextInt(8);                              // ADD OR ADC SBB AND SUB XOR CMP
        if (op == 2 || op == 3) need(CF);
        begin();
        int size = size();
        int form = rnd.nextInt(5);
        boolean lock = op != 7 && (form == 0 || form == 2) && rnd.nextInt(10) == 0;
        if (lock) emit(0xf0);
        switch (form) {
            case 0 -> rm(size, new int[] {op << 3 | (size == 1 ? 0 : 1)}, byteSafe(src(), false), lock ? -1 : memOrReg(size, true));
            case 1 -> {
                if (lock) { out.write(0x90); break; }
                int d = byteSafe(dest(), true);
                rm(size, new int[] {op << 3 | (size == 1 ? 2 : 3)}, d, memOrReg(size, false));
            }
            case 2 -> {
                int opc = size == 1 ? 0x80 : rnd.nextBoolean() ? 0x83 : 0x81;
                rm(size, new int[] {opc}, op, lock ? -1 : memOrReg(size, true));
                emitImm(rnd.nextLong(), opc == 0x81 ? Math.min(size, 4) : 1);
            }
            case 3 -> {
                if (lock) { out.write(0x90); break; }
                if (size == 2) emit(0x66);
                if (size == 8) emit(0x48);
                emit(op << 3 | (size == 1 ? 4 : 5));
                emitImm(rnd.nextLong(), Math.min(size, 4));
            }
            default -> {                                      // TEST
                if (lock) { out.write(0x90); break; }
                rm(size, new int[] {size == 1 ? 0x84 : 0x85}, byteSafe(src(), false), memOrReg(size, false));
                undef = (undef & ~ALL) | AF;
                return;
            }
        }
        undef = (op == 1 || op == 4 || op == 6) ? AF : 0;
    }

    /** A destination r/m: memory, or a writable register (mapped for byte size). */
    private int memOrReg(int size, boolean written) {
        if (rnd.nextInt(3) == 0) return -1;
        int r = written ? dest() : src();
        return size == 1 ? byteSafe(r, written) : r;
    }

    private void incDecNotNeg() {
        begin();
        int size = size();
        int k = rnd.nextInt(4);
        int rmr = memOrReg(size, true);
        switch (k) {
            case 0, 1 -> {
                rm(size, new int[] {size == 1 ? 0xfe : 0xff}, k, rmr);
                undef &= CF;
            }
            case 2 -> rm(size, new int[] {size == 1 ? 0xf6 : 0xf7}, 2, rmr);
            default -> {
                rm(size, new int[] {size == 1 ? 0xf6 : 0xf7}, 3, rmr);
                undef = 0;
            }
        }
    }

    private void mulDiv() {
        begin();
        int size = size();
        int k = rnd.nextInt(8);
        if (k >= 6) k -= 6;                                   // fewer DIV/IDIV: most random divisions raise #DE
        switch (k) {
            case 0, 1 -> {                                    // MUL, IMUL r/m
                rm(size, new int[] {size == 1 ? 0xf6 : 0xf7}, 4 + k, memOrReg(size, false));
                undef = SZP | AF;
            }
            case 2, 3 -> {                                    // DIV, IDIV (often #DE)
                rm(size, new int[] {size == 1 ? 0xf6 : 0xf7}, 6 + (k - 2), memOrReg(size, false));
                undef = ALL;
            }
            case 4 -> {                                       // IMUL r, r/m
                int s = size == 1 ? 4 : size;
                rm(s, new int[] {0x0f, 0xaf}, dest(), memOrReg(s, false));
                undef = SZP | AF;
            }
            default -> {                                      // IMUL r, r/m, imm8/imm
                int s = size == 1 ? 2 : size;
                boolean b8 = rnd.nextBoolean();
                rm(s, new int[] {b8 ? 0x6b : 0x69}, dest(), memOrReg(s, false));
                emitImm(rnd.nextLong(), b8 ? 1 : Math.min(s, 4));
                undef = SZP | AF;
            }
        }
    }

    private void shift() {
        int op = rnd.nextInt(8);
        if (op == 6) op = 4;                                  // /6 is an undocumented alias
        if (op == 2 || op == 3) need(CF);
        begin();
        int size = size();
        int form = rnd.nextInt(3);                            // by 1, by CL, by imm8
        int rmr = memOrReg(size, true);
        boolean rotate = op < 4;
        switch (form) {
            case 0 -> {
                rm(size, new int[] {size == 1 ? 0xd0 : 0xd1}, op, rmr);
                undef = rotate ? undef : AF;
            }
            case 1 -> {
                rm(size, new int[] {size == 1 ? 0xd2 : 0xd3}, op, rmr);
                undef |= rotate ? OF : CF | OF | AF;
            }
            default -> {
                int count = rnd.nextInt(size == 8 ? 64 : 32);
                rm(size, new int[] {size == 1 ? 0xc0 : 0xc1}, op, rmr);
                emit(count);
                int masked = count & (size == 8 ? 63 : 31);
                if (masked == 0) break;
                if (rotate) {
                    if (masked != 1) undef |= OF;
                } else {
                    undef = AF | (masked != 1 ? OF : 0) | (masked > size * 8 ? CF : 0);
                    if (masked >= size * 8 && op != 7) undef |= CF;
                }
            }
        }
    }

    private void doubleShift() {
        begin();
        int size = 2 + 2 * rnd.nextInt(m64() ? 3 : 2);
        if (size == 6) size = 8;
        boolean left = rnd.nextBoolean(), cl = size != 2 && rnd.nextBoolean();
        int rmr = memOrReg(size, true);
        rm(size, new int[] {0x0f, (left ? 0xa4 : 0xac) | (cl ? 1 : 0)}, src(), rmr);
        if (cl) {
            undef |= CF | OF | AF;
            return;
        }
        int count = rnd.nextInt(size == 2 ? 17 : size * 8);
        emit(count);
        int masked = count & (size == 8 ? 63 : 31);
        if (masked != 0) undef = AF | (masked != 1 ? OF : 0);
    }

    private void bits() {
        begin();
        int size = 2 + 2 * rnd.nextInt(m64() ? 3 : 2);
        if (size == 6) size = 8;
        int k = rnd.nextInt(8);
        switch (k) {
            case 0, 1 -> {                                    // BT* r/m, r (register r/m only: offsets are random)
                int op = rnd.nextInt(4);
                rm(size, new int[] {0x0f, 0xa3 | op << 3}, src(), dest());
                undef = (undef & ZF) | OF | SF | AF | PF;
            }
            case 2, 3 -> {                                    // BT* r/m, imm8
                int op = rnd.nextInt(4);
                rm(size, new int[] {0x0f, 0xba}, 4 + op, memOrReg(size, true));
                emit(rnd.nextInt(256));
                undef = (undef & ZF) | OF | SF | AF | PF;
            }
            case 4 -> {                                       // BSF/BSR
                rm(size, new int[] {0x0f, rnd.nextBoolean() ? 0xbc : 0xbd}, dest(), memOrReg(size, false));
                undef = CF | OF | SF | AF | PF;
            }
            case 5 -> {                                       // LZCNT
                if (emulatedReference) { out.write(0x90); break; }
                emit(0xf3);
                rm(size, new int[] {0x0f, 0xbd}, dest(), memOrReg(size, false));
                undef = OF | SF | AF | PF;
            }
            case 6 -> {                                       // POPCNT
                if (emulatedReference) { out.write(0x90); break; }
                emit(0xf3);
                rm(size, new int[] {0x0f, 0xb8}, dest(), memOrReg(size, false));
                undef = 0;
            }
            default -> {                                      // BSWAP r32/r64
                int r = dest();
                rex(size == 8 ? 8 : 4, 0, r, false);
                emit(0x0f, 0xc8 | (r & 7));
            }
        }
    }

    private void mov() {
        begin();
        int size = size();
        int k = rnd.nextInt(9);
        switch (k) {
            case 0 -> rm(size, new int[] {size == 1 ? 0x88 : 0x89}, byteSafe(src(), false), memOrReg(size, true));
            case 1 -> rm(size, new int[] {size == 1 ? 0x8a : 0x8b}, byteSafe(dest(), true), memOrReg(size, false));
            case 2 -> {
                rm(size, new int[] {size == 1 ? 0xc6 : 0xc7}, 0, memOrReg(size, true));
                emitImm(rnd.nextLong(), Math.min(size, 4));
            }
            case 3 -> {                                       // MOV r, imm (B0/B8, imm64 with REX.W)
                int r = byteSafe(dest(), true);
                if (size == 2) emit(0x66);
                rex(size, 0, r, false);
                emit((size == 1 ? 0xb0 : 0xb8) | (r & 7));
                emitImm(rnd.nextLong(), size);
            }
            case 4, 5 -> {                                    // MOVZX / MOVSX
                int s = size == 1 ? 4 : Math.max(size, 2);
                boolean w = rnd.nextBoolean();
                rm(s, new int[] {0x0f, (k == 4 ? 0xb6 : 0xbe) | (w ? 1 : 0)}, dest(), memOrReg(w ? 2 : 1, false));
            }
            case 6 -> {                                       // MOVSXD (64) / LEA
                if (m64() && rnd.nextBoolean()) rm(8, new int[] {0x63}, dest(), memOrReg(4, false));
                else rm(Math.max(size, 2), new int[] {0x8d}, dest(), -1);
            }
            case 7 -> {                                       // MOVBE (memory only)
                if (emulatedReference) { out.write(0x90); break; }
                int s = Math.max(size, 2);
                boolean store = rnd.nextBoolean();
                rm(s, new int[] {0x0f, 0x38, store ? 0xf1 : 0xf0}, store ? src() : dest(), -1);
            }
            default -> {                                      // LEA with SIB scale/index
                int s = Math.max(size, 2);
                int d = dest();
                prefixes(s, d, 0, false);
                out.write(0x8d);
                emit(0x44 | (d & 7) << 3, rnd.nextInt(4) << 6 | rnd.nextInt(8) << 3 | RBX, rnd.nextInt(256));
            }
        }
    }

    private void cmovSetcc() {
        int cc = rnd.nextInt(16);
        need(Flags.readBy(cc));
        begin();
        if (rnd.nextBoolean()) {
            int size = 2 + 2 * rnd.nextInt(m64() ? 3 : 2);
            if (size == 6) size = 8;
            rm(size, new int[] {0x0f, 0x40 | cc}, dest(), memOrReg(size, false));
        } else {
            rm(1, new int[] {0x0f, 0x90 | cc}, 0, memOrReg(1, true));
        }
    }

    private void stack() {
        begin();
        int k = rnd.nextInt(7);
        int size = m64() ? (rnd.nextInt(6) == 0 ? 2 : 8) : (rnd.nextInt(6) == 0 ? 2 : 4);
        if (k == 6 && emulatedReference) size = 4;   // KVM's emulator pushes the stack size, not the operand size
        if (size == 2) emit(0x66);
        switch (k) {
            case 0 -> { int r = src(); rex(4, 0, r, false); emit(0x50 | (r & 7)); }
            case 1 -> { int r = dest(); rex(4, 0, r, false); emit(0x58 | (r & 7)); }
            case 2 -> { emit(0x68); emitImm(rnd.nextLong(), size == 2 ? 2 : 4); }
            case 3 -> { emit(0x6a, rnd.nextInt(256)); }
            case 4 -> { rex(4, 0, 0, true); emit(0xff); modrmMem(6); }          // PUSH m
            case 5 -> { rex(4, 0, 0, true); emit(0x8f); modrmMem(0); }          // POP m
            default -> {                                                         // ENTER/LEAVE pair
                emit(0xc8);
                emitImm(rnd.nextInt(64), 2);
                emit(emulatedReference ? 0 : rnd.nextInt(3));
                begin();
                if (size == 2) emit(0x66);
                emit(0xc9);
            }
        }
    }

    private void xchgFamily() {
        begin();
        int size = size();
        int k = rnd.nextInt(5);
        switch (k) {
            case 0 -> rm(size, new int[] {size == 1 ? 0x86 : 0x87}, byteSafe(dest(), true), memOrReg(size, true));
            case 1 -> {
                rm(size, new int[] {0x0f, size == 1 ? 0xc0 : 0xc1}, byteSafe(dest(), true), memOrReg(size, true));
                undef = 0;
            }
            case 2 -> {
                if (rnd.nextInt(4) == 0) emit(0xf0);
                rm(size, new int[] {0x0f, size == 1 ? 0xb0 : 0xb1}, byteSafe(src(), false), -1);
                undef = 0;
            }
            case 3 -> {                                       // CMPXCHG8B / 16B
                boolean w = m64() && rnd.nextBoolean();
                if (w) emit(0x48);
                emit(0x0f, 0xc7);
                modrmMem(1, 16);                              // CMPXCHG16B needs a 16-byte aligned operand
                undef &= ~ZF;
            }
            default -> {
                int r = dest();
                if (size == 2) emit(0x66);
                rex(Math.max(size, 4), 0, r, false);
                emit(0x90 | (r & 7));                         // XCHG rAX, r
            }
        }
    }

    private void flagsOps() {
        int k = rnd.nextInt(9);
        switch (k) {
            case 0 -> { begin(); emit(0xf8); undef &= ~CF; }                       // CLC
            case 1 -> { begin(); emit(0xf9); undef &= ~CF; }                       // STC
            case 2 -> { need(CF); begin(); emit(0xf5); }                           // CMC
            case 3 -> { begin(); emit(0xfc); }                                     // CLD
            case 4 -> { begin(); emit(0xfd); }                                     // STD
            case 5 -> { need(SZP | AF | CF); begin(); emit(0x9f); }                // LAHF
            case 6 -> { begin(); emit(0x9e); undef &= OF; }                        // SAHF
            case 7 -> { need(ALL); begin(); if (m64()) emit(0x9c); else emit(0x9c); }   // PUSHF
            default -> {                                                           // CBW/CWD families
                begin();
                int size = m64() ? 2 << rnd.nextInt(3) : 2 << rnd.nextInt(2);
                if (size == 2) emit(0x66);
                if (size == 8) emit(0x48);
                emit(rnd.nextBoolean() ? 0x98 : 0x99);
            }
        }
    }

    private void strings() {
        begin();
        int count = rnd.nextInt(9);
        emit(0xb9);                                           // mov $count, %ecx
        emitImm(count, 4);
        int op = new int[] {0xa4, 0xa6, 0xaa, 0xac, 0xae}[rnd.nextInt(5)];
        boolean cmp = op == 0xa6 || op == 0xae;
        begin();
        int rep = rnd.nextInt(3);
        if (rep == 1) emit(0xf3);
        else if (rep == 2 && cmp) emit(0xf2);
        int size = size();
        if (size == 2) emit(0x66);
        if (size == 8) emit(0x48);
        emit(size == 1 ? op : op + 1);
        if (cmp && (rep == 0 || count > 0)) undef = 0;     // a REP with rCX = 0 compares nothing
    }

    private void branches() {
        int k = rnd.nextInt(5);
        switch (k) {
            case 0 -> {                                       // Jcc over the next instruction
                int cc = rnd.nextInt(16);
                need(Flags.readBy(cc));
                skipOver(0x70 | cc, true);
            }
            case 1 -> skipOver(0xeb, false);                  // JMP over it
            case 2 -> {                                       // CALL next; POP r
                begin();
                emit(0xe8);
                emitImm(0, 4);
                begin();
                int r = dest();
                rex(4, 0, r, false);
                emit(0x58 | (r & 7));
            }
            case 3 -> {                                       // LOOP (E2), LOOPE (E1), LOOPNE (E0) forward
                int opcode = 0xe0 + rnd.nextInt(3);
                if (opcode != 0xe2) need(ZF);
                skipOver(opcode, false);
            }
            default -> skipOver(0xe3, false);                 // JrCXZ
        }
    }

    /** Emits a rel8 branch whose target is just past the instruction that follows it. */
    private void skipOver(int opcode, boolean condition) {
        begin();
        int at = out.size();
        emit(opcode, 0);
        int undefBefore = undef, fswBefore = fswUndef;
        int before = out.size();
        int save = starts.size();
        one();
        int len = out.size() - before;
        byte[] b = out.toByteArray();
        b[at + 1] = (byte) len;
        out.reset();
        out.write(b, 0, b.length);
        // the skipped instruction may not have run: whatever it left undefined stays possible
        undef |= undefBefore;
        fswUndef |= fswBefore;
        if (starts.size() == save) begin();
    }

    private void misc() {
        begin();
        switch (rnd.nextInt(4)) {
            case 0 -> emit(0x90);
            case 1 -> { emit(0x0f, 0x1f); modrmMem(0); }      // long NOP with a memory operand (not accessed)
            case 2 -> { emit(0xd7); }                         // XLAT
            default -> { emit(0x66, 0x90); }
        }
    }

    private void bcd() {
        int k = rnd.nextInt(6);
        switch (k) {
            case 0, 1 -> { need(CF | AF); begin(); emit(k == 0 ? 0x27 : 0x2f); undef = OF; }
            case 2, 3 -> { need(AF); begin(); emit(k == 2 ? 0x37 : 0x3f); undef = OF | SF | ZF | PF; }
            case 4 -> { begin(); emit(0xd4, rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(256)); undef = OF | AF | CF; }
            default -> { begin(); emit(0xd5, rnd.nextInt(256)); undef = OF | AF | CF; }
        }
    }

    /** Instructions that fault at CPL3: the exception paths are compared too. */
    private void faults() {
        begin();
        switch (rnd.nextInt(7)) {
            case 0 -> emit(0x0f, 0x0b);                       // UD2 → #UD
            case 1 -> emit(0xfa);                             // CLI at CPL3, IOPL 0 → #GP
            case 2 -> emit(0xf4);                             // HLT at CPL3 → #GP
            case 3 -> { emit(0x0f, 0x20, 0xc0); }             // MOV r, CR0 at CPL3 → #GP
            case 4 -> { emit(0x8b); modrmPage(); }            // read of an unmapped page → #PF
            case 5 -> { emit(0x89); modrmRo(); }              // write to a read-only page → #PF
            default -> { if (m64()) emit(0x06); else emit(0x0f, 0xff); }   // invalid in 64-bit / UD0 → #UD
        }
    }

    private void modrmPage() {
        emit(0x04, 0x25);                                     // [disp32] absolute (SIB, no base, no index)
        emitImm(0x50000 + rnd.nextInt(0x1000), 4);
    }

    private void modrmRo() {
        emit(0x04, 0x25);
        emitImm(Layout.RO_PAGE + rnd.nextInt(0xff0), 4);
    }
}
