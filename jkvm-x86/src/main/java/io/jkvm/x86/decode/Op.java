package io.jkvm.x86.decode;

/**
 * Handler numbers: what {@code Interpreter} dispatches on. Named after the SDM mnemonic and operand form
 * (E = ModRM r/m, G = ModRM reg, I = immediate, A = accumulator, R = register in the opcode, S = segment
 * register, O = memory offset); the variant (ALU operation, condition code, group /digit) is {@code Insn.sub}.
 */
public final class Op {
    private Op() {}

    public static final int INVALID = 0;
    public static final int UD = 1;
    public static final int ALU_EG = 2;
    public static final int ALU_GE = 3;
    public static final int ALU_EI = 4;
    public static final int ALU_AI = 5;
    public static final int TEST_EG = 6;
    public static final int TEST_EI = 7;
    public static final int INCDEC_E = 8;
    public static final int INCDEC_R = 9;
    public static final int GRP3_E = 10;
    public static final int IMUL_GEI = 11;
    public static final int IMUL_GE = 12;
    public static final int SHIFT_E = 13;
    public static final int SHLD = 14;
    public static final int SHRD = 15;
    public static final int BT_EG = 16;
    public static final int BT_EI = 17;
    public static final int BSF = 18;
    public static final int BSR = 19;
    public static final int TZCNT = 20;
    public static final int LZCNT = 21;
    public static final int POPCNT = 22;
    public static final int BSWAP = 23;
    public static final int XADD = 24;
    public static final int CMPXCHG = 25;
    public static final int CMPXCHG8B = 26;
    public static final int XCHG_EG = 27;
    public static final int XCHG_AR = 28;
    public static final int DAA = 29;
    public static final int DAS = 30;
    public static final int AAA = 31;
    public static final int AAS = 32;
    public static final int AAM = 33;
    public static final int AAD = 34;
    public static final int SALC = 35;
    public static final int CBW = 36;
    public static final int CWD = 37;
    public static final int LAHF = 38;
    public static final int SAHF = 39;
    public static final int CMC = 40;
    public static final int FLAGOP = 41;
    public static final int MOV_EG = 42;
    public static final int MOV_GE = 43;
    public static final int MOV_EI = 44;
    public static final int MOV_RI = 45;
    public static final int MOV_AO = 46;
    public static final int MOV_OA = 47;
    public static final int MOV_ES = 48;
    public static final int MOV_SE = 49;
    public static final int MOVZX = 50;
    public static final int MOVSX = 51;
    public static final int MOVSXD = 52;
    public static final int LEA = 53;
    public static final int CMOV = 54;
    public static final int SETCC = 55;
    public static final int PUSH_R = 56;
    public static final int POP_R = 57;
    public static final int PUSH_I = 58;
    public static final int PUSH_E = 59;
    public static final int POP_E = 60;
    public static final int PUSH_SEG = 61;
    public static final int POP_SEG = 62;
    public static final int PUSHA = 63;
    public static final int POPA = 64;
    public static final int PUSHF = 65;
    public static final int POPF = 66;
    public static final int ENTER = 67;
    public static final int LEAVE = 68;
    public static final int MOVS = 69;
    public static final int CMPS = 70;
    public static final int STOS = 71;
    public static final int LODS = 72;
    public static final int SCAS = 73;
    public static final int INS = 74;
    public static final int OUTS = 75;
    public static final int IN = 76;
    public static final int OUT = 77;
    public static final int JCC = 78;
    public static final int JMP_REL = 79;
    public static final int JMP_E = 80;
    public static final int JMP_FAR = 81;
    public static final int CALL_REL = 82;
    public static final int CALL_E = 83;
    public static final int CALL_FAR = 84;
    public static final int RET_NEAR = 85;
    public static final int RET_FAR = 86;
    public static final int IRET = 87;
    public static final int LOOP = 88;
    public static final int JCXZ = 89;
    public static final int INT = 90;
    public static final int INT3 = 91;
    public static final int INTO = 92;
    public static final int INT1 = 93;
    public static final int BOUND = 94;
    public static final int HLT = 95;
    public static final int NOP = 96;
    public static final int XLAT = 97;
    public static final int LSEG = 98;
    public static final int ARPL = 99;
    public static final int GRP6 = 100;
    public static final int GRP7 = 101;
    public static final int LAR = 102;
    public static final int LSL = 103;
    public static final int CLTS = 104;
    public static final int SYSCALL = 105;
    public static final int SYSRET = 106;
    public static final int SYSENTER = 107;
    public static final int SYSEXIT = 108;
    public static final int WBINVD = 109;
    public static final int MOV_CR = 110;
    public static final int MOV_DR = 111;
    public static final int RDMSR = 112;
    public static final int WRMSR = 113;
    public static final int RDTSC = 114;
    public static final int RDPMC = 115;
    public static final int CPUID = 116;
    public static final int RDRAND = 117;
    public static final int RDPID = 118;
    public static final int GRP15 = 119;
    public static final int FWAIT = 120;
    public static final int X87 = 121;
    public static final int SSE = 122;
    public static final int MOVBE = 123;

    private static final String[] NAMES = {
        "INVALID", "UD", "ALU_EG", "ALU_GE", "ALU_EI", "ALU_AI", "TEST_EG", "TEST_EI", "INCDEC_E", "INCDEC_R",
        "GRP3_E", "IMUL_GEI", "IMUL_GE", "SHIFT_E", "SHLD", "SHRD", "BT_EG", "BT_EI", "BSF", "BSR", "TZCNT",
        "LZCNT", "POPCNT", "BSWAP", "XADD", "CMPXCHG", "CMPXCHG8B", "XCHG_EG", "XCHG_AR", "DAA", "DAS", "AAA",
        "AAS", "AAM", "AAD", "SALC", "CBW", "CWD", "LAHF", "SAHF", "CMC", "FLAGOP", "MOV_EG", "MOV_GE",
        "MOV_EI", "MOV_RI", "MOV_AO", "MOV_OA", "MOV_ES", "MOV_SE", "MOVZX", "MOVSX", "MOVSXD", "LEA", "CMOV",
        "SETCC", "PUSH_R", "POP_R", "PUSH_I", "PUSH_E", "POP_E", "PUSH_SEG", "POP_SEG", "PUSHA", "POPA",
        "PUSHF", "POPF", "ENTER", "LEAVE", "MOVS", "CMPS", "STOS", "LODS", "SCAS", "INS", "OUTS", "IN", "OUT",
        "JCC", "JMP_REL", "JMP_E", "JMP_FAR", "CALL_REL", "CALL_E", "CALL_FAR", "RET_NEAR", "RET_FAR", "IRET",
        "LOOP", "JCXZ", "INT", "INT3", "INTO", "INT1", "BOUND", "HLT", "NOP", "XLAT", "LSEG", "ARPL", "GRP6",
        "GRP7", "LAR", "LSL", "CLTS", "SYSCALL", "SYSRET", "SYSENTER", "SYSEXIT", "WBINVD", "MOV_CR",
        "MOV_DR", "RDMSR", "WRMSR", "RDTSC", "RDPMC", "CPUID", "RDRAND", "RDPID", "GRP15", "FWAIT", "X87",
        "SSE", "MOVBE"
    };

    public static String name(int op) {
        return op >= 0 && op < NAMES.length ? NAMES[op] : "op" + op;
    }

    public static final int COUNT = 124;
}
