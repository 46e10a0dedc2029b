package io.jkvm.api.x86;

/** MSR indices jkvm uses, with Linux's msr-index.h names. */
public final class Msr {
    private Msr() {}

    public static final int MSR_IA32_TSC = 0x10;
    public static final int MSR_IA32_APICBASE = 0x1b;
    public static final int MSR_IA32_FEATURE_CONTROL = 0x3a;
    public static final int MSR_IA32_TSC_ADJUST = 0x3b;
    public static final int MSR_IA32_SPEC_CTRL = 0x48;
    public static final int MSR_IA32_UCODE_REV = 0x8b;
    public static final int MSR_IA32_SYSENTER_CS = 0x174;
    public static final int MSR_IA32_SYSENTER_ESP = 0x175;
    public static final int MSR_IA32_SYSENTER_EIP = 0x176;
    public static final int MSR_IA32_MCG_CAP = 0x179;
    public static final int MSR_IA32_MCG_STATUS = 0x17a;
    public static final int MSR_IA32_MISC_ENABLE = 0x1a0;
    public static final int MSR_IA32_CR_PAT = 0x277;
    public static final int MSR_MTRRcap = 0xfe;
    public static final int MSR_MTRRdefType = 0x2ff;
    public static final int MSR_IA32_TSC_DEADLINE = 0x6e0;
    public static final int MSR_EFER = 0xc0000080;
    public static final int MSR_STAR = 0xc0000081;
    public static final int MSR_LSTAR = 0xc0000082;
    public static final int MSR_CSTAR = 0xc0000083;
    public static final int MSR_SYSCALL_MASK = 0xc0000084;
    public static final int MSR_FS_BASE = 0xc0000100;
    public static final int MSR_GS_BASE = 0xc0000101;
    public static final int MSR_KERNEL_GS_BASE = 0xc0000102;
    public static final int MSR_TSC_AUX = 0xc0000103;
    /** x2APIC registers are MSRs 0x800 + (xAPIC offset >> 4). */
    public static final int APIC_BASE_MSR = 0x800;
    public static final int MSR_KVM_WALL_CLOCK_NEW = 0x4b564d00;
    public static final int MSR_KVM_SYSTEM_TIME_NEW = 0x4b564d01;
}
