package io.jkvm.x86.jit;

import static io.jkvm.x86.jit.Emit.CD_CPU;
import static io.jkvm.x86.jit.Emit.CD_INSN;
import static java.lang.constant.ConstantDescs.CD_void;

import io.jkvm.x86.decode.Op;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * The handler the interpreter's dispatch switch runs for each {@link Op}, as a direct call target: a
 * compiled block calls it without the switch, and HotSpot can inline it into that block. Ops missing here
 * (LEA without memory, IRET, x87/SSE escapes, invalid encodings…) are called through
 * {@code Interpreter.dispatch}, which keeps their special cases in one place.
 */
final class Handlers {
    private Handlers() {}

    /** A static handler: {@code owner.name(Cpu, Insn)} or, when {@code !insn}, {@code owner.name(Cpu)}. */
    record Target(ClassDesc owner, String name, boolean insn) {
        MethodTypeDesc type() {
            return insn ? MethodTypeDesc.of(CD_void, CD_CPU, CD_INSN) : MethodTypeDesc.of(CD_void, CD_CPU);
        }
    }

    static final Target DISPATCH = new Target(Emit.CD_INTERP, "dispatch", true);

    private static final Target[] BY_OP = new Target[Op.COUNT];

    private static void h(int op, String owner, String name) {
        BY_OP[op] = new Target(ClassDesc.of("io.jkvm.x86.insn." + owner), name, true);
    }

    private static void h0(int op, String owner, String name) {
        BY_OP[op] = new Target(ClassDesc.of("io.jkvm.x86.insn." + owner), name, false);
    }

    static {
        h(Op.ALU_EG, "Alu", "aluEG");
        h(Op.ALU_GE, "Alu", "aluGE");
        h(Op.ALU_EI, "Alu", "aluEI");
        h(Op.ALU_AI, "Alu", "aluAI");
        h(Op.TEST_EG, "Alu", "testEG");
        h(Op.TEST_EI, "Alu", "testEI");
        h(Op.INCDEC_E, "Alu", "incDecE");
        h(Op.INCDEC_R, "Alu", "incDecR");
        h(Op.GRP3_E, "MulDiv", "grp3");
        h(Op.IMUL_GEI, "MulDiv", "imulGEI");
        h(Op.IMUL_GE, "MulDiv", "imulGE");
        h(Op.SHIFT_E, "ShiftRotate", "grp2");
        h(Op.SHLD, "ShiftRotate", "shld");
        h(Op.SHRD, "ShiftRotate", "shrd");
        h(Op.BT_EG, "BitOps", "btEG");
        h(Op.BT_EI, "BitOps", "btEI");
        h(Op.BSF, "BitOps", "bsf");
        h(Op.BSR, "BitOps", "bsr");
        h(Op.LZCNT, "BitOps", "lzcnt");
        h(Op.POPCNT, "BitOps", "popcnt");
        h(Op.BSWAP, "BitOps", "bswap");
        h(Op.XADD, "DataMove", "xadd");
        h(Op.CMPXCHG, "DataMove", "cmpxchg");
        h(Op.CMPXCHG8B, "DataMove", "cmpxchg8b");
        h(Op.XCHG_EG, "DataMove", "xchgEG");
        h(Op.XCHG_AR, "DataMove", "xchgAR");
        h0(Op.DAA, "Bcd", "daa");
        h0(Op.DAS, "Bcd", "das");
        h0(Op.AAA, "Bcd", "aaa");
        h0(Op.AAS, "Bcd", "aas");
        h(Op.AAM, "Bcd", "aam");
        h(Op.AAD, "Bcd", "aad");
        h0(Op.SALC, "Bcd", "salc");
        h(Op.CBW, "Alu", "cbw");
        h(Op.CWD, "Alu", "cwd");
        h0(Op.LAHF, "Alu", "lahf");
        h0(Op.SAHF, "Alu", "sahf");
        h0(Op.CMC, "Alu", "cmc");
        h(Op.FLAGOP, "Control", "flagOp");
        h(Op.MOV_EG, "DataMove", "movEG");
        h(Op.MOV_GE, "DataMove", "movGE");
        h(Op.MOV_EI, "DataMove", "movEI");
        h(Op.MOV_RI, "DataMove", "movRI");
        h(Op.MOV_AO, "DataMove", "movAO");
        h(Op.MOV_OA, "DataMove", "movOA");
        h(Op.MOV_ES, "DescriptorOps", "movES");
        h(Op.MOV_SE, "DescriptorOps", "movSE");
        h(Op.MOVZX, "DataMove", "movzx");
        h(Op.MOVSX, "DataMove", "movsx");
        h(Op.MOVSXD, "DataMove", "movsxd");
        h(Op.CMOV, "DataMove", "cmov");
        h(Op.SETCC, "DataMove", "setcc");
        h(Op.PUSH_R, "Stack", "pushR");
        h(Op.POP_R, "Stack", "popR");
        h(Op.PUSH_I, "Stack", "pushI");
        h(Op.PUSH_E, "Stack", "pushE");
        h(Op.POP_E, "Stack", "popE");
        h(Op.PUSH_SEG, "Stack", "pushSeg");
        h(Op.POP_SEG, "Stack", "popSeg");
        h(Op.PUSHA, "Stack", "pusha");
        h(Op.POPA, "Stack", "popa");
        h(Op.PUSHF, "Stack", "pushf");
        h(Op.POPF, "Stack", "popf");
        h(Op.ENTER, "Stack", "enter");
        h(Op.LEAVE, "Stack", "leave");
        h(Op.MOVS, "StringOps", "movs");
        h(Op.CMPS, "StringOps", "cmps");
        h(Op.STOS, "StringOps", "stos");
        h(Op.LODS, "StringOps", "lods");
        h(Op.SCAS, "StringOps", "scas");
        h(Op.INS, "IoOps", "ins");
        h(Op.OUTS, "IoOps", "outs");
        h(Op.IN, "IoOps", "in");
        h(Op.OUT, "IoOps", "out");
        h(Op.JCC, "Control", "jcc");
        h(Op.JMP_REL, "Control", "jmpRel");
        h(Op.JMP_E, "Control", "jmpE");
        h(Op.JMP_FAR, "FarControl", "jmpFar");
        h(Op.CALL_REL, "Control", "callRel");
        h(Op.CALL_E, "Control", "callE");
        h(Op.CALL_FAR, "FarControl", "callFar");
        h(Op.RET_NEAR, "Control", "retNear");
        h(Op.RET_FAR, "FarControl", "retFar");
        h(Op.LOOP, "Control", "loop");
        h(Op.JCXZ, "Control", "jcxz");
        h(Op.INT, "Interrupts", "intN");
        h(Op.INT3, "Interrupts", "int3");
        h(Op.INTO, "Interrupts", "into");
        h(Op.INT1, "Interrupts", "int1");
        h(Op.BOUND, "Interrupts", "bound");
        h0(Op.HLT, "SystemOps", "hlt");
        h(Op.XLAT, "DataMove", "xlat");
        h(Op.LSEG, "DescriptorOps", "lseg");
        h(Op.ARPL, "DescriptorOps", "arpl");
        h(Op.GRP6, "DescriptorOps", "grp6");
        h(Op.GRP7, "DescriptorOps", "grp7");
        h(Op.LAR, "DescriptorOps", "lar");
        h(Op.LSL, "DescriptorOps", "lsl");
        h0(Op.CLTS, "SystemOps", "clts");
        h(Op.SYSCALL, "SysCalls", "syscall");
        h(Op.SYSRET, "SysCalls", "sysret");
        h(Op.SYSENTER, "SysCalls", "sysenter");
        h(Op.SYSEXIT, "SysCalls", "sysexit");
        h0(Op.WBINVD, "SystemOps", "wbinvd");
        h(Op.MOV_CR, "SystemOps", "movCr");
        h(Op.MOV_DR, "SystemOps", "movDr");
        h0(Op.RDMSR, "Msrs", "rdmsr");
        h0(Op.WRMSR, "Msrs", "wrmsr");
        h0(Op.RDTSC, "SystemOps", "rdtsc");
        h0(Op.RDPMC, "SystemOps", "rdpmc");
        h0(Op.CPUID, "SystemOps", "cpuid");
        h(Op.GRP15, "SystemOps", "grp15");
        h(Op.MOVBE, "DataMove", "movbe");
    }

    /** The call target for {@code op}: its handler, or {@link #DISPATCH}. */
    static Target of(int op) {
        Target t = op >= 0 && op < BY_OP.length ? BY_OP[op] : null;
        return t != null ? t : DISPATCH;
    }
}
