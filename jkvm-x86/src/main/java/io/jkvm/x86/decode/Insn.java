package io.jkvm.x86.decode;

/**
 * One decoded instruction: the handler to run ({@link #op}, with {@link #sub} selecting a variant such as
 * the ALU operation or condition code) and its operands, decoded once and kept in a {@link Block}.
 * Registers are encoding numbers with REX applied; byte registers AH CH DH BH are 16..19.
 */
public final class Insn {
    public int op;
    public int sub;
    /** Operand size in bytes (1, 2, 4, 8). */
    public int osize;
    /** Address size in bytes (2, 4, 8). */
    public int asize;
    /** Effective addresses wrap at the address size: 0xffff, 0xffffffff or -1. */
    public long eaMask = -1;
    public int len;
    /** The opcode (0x0F-map opcodes are 0x100 + byte, 0F38 0x200 +, 0F3A 0x300 +). */
    public int opcode;
    /** ModRM.reg (REX.R applied), or the register of a "+r" opcode (REX.B applied). */
    public int reg;
    /** ModRM.rm register when mod == 3 (REX.B applied), else -1. */
    public int rm = -1;
    /** ModRM.mod, -1 when there is no ModRM byte. */
    public int mod = -1;
    /** The ModRM byte as encoded (x87 FOP keeps it), 0 when there is none. */
    public int modrm;
    /** The memory operand's segment, and its address parts (base/index -1 when absent). */
    public int seg;
    public int base = -1, index = -1, scale;
    public long disp;
    public boolean ripRel;
    public boolean mem;
    public long imm, imm2;
    /** 0, 0xF3 (REP/REPE) or 0xF2 (REPNE) — also the SSE mandatory prefix. */
    public int rep;
    public boolean lock;
    public boolean opsizePrefix;
    public boolean rexW, rex;
    /** True when a segment-override prefix was present. */
    public boolean segOverride;

    public void clear() {
        op = sub = osize = asize = len = opcode = reg = scale = rep = modrm = 0;
        rm = mod = base = index = -1;
        seg = 3;
        disp = imm = imm2 = 0;
        ripRel = mem = lock = opsizePrefix = rexW = rex = segOverride = false;
    }

    public void copyFrom(Insn o) {
        op = o.op; sub = o.sub; osize = o.osize; asize = o.asize; len = o.len; opcode = o.opcode; reg = o.reg;
        rm = o.rm; mod = o.mod; modrm = o.modrm; seg = o.seg; base = o.base; index = o.index; scale = o.scale; disp = o.disp;
        eaMask = o.eaMask; ripRel = o.ripRel; mem = o.mem; imm = o.imm; imm2 = o.imm2; rep = o.rep; lock = o.lock;
        opsizePrefix = o.opsizePrefix; rexW = o.rexW; rex = o.rex; segOverride = o.segOverride;
    }

    @Override
    public String toString() {
        return String.format("Insn[op=%s sub=%d osize=%d asize=%d len=%d opcode=%#x reg=%d rm=%d mem=%b base=%d index=%d scale=%d disp=%#x imm=%#x]",
                Op.name(op), sub, osize, asize, len, opcode, reg, rm, mem, base, index, scale, disp, imm);
    }
}
