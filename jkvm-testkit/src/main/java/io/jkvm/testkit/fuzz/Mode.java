package io.jkvm.testkit.fuzz;

/** The CPU mode a fuzz case runs in: both at CPL3, where /dev/kvm on PVM runs guest code natively. */
public enum Mode {
    /** 64-bit long mode, 4-level paging. */
    LONG,
    /** 32-bit protected-mode code: compatibility mode under IA-32e paging (what PVM runs natively). */
    PROT32;

    public static Mode parse(String s) {
        return switch (s) {
            case "long", "64" -> LONG;
            case "prot32", "32" -> PROT32;
            default -> throw new IllegalArgumentException("mode must be long or prot32, not '" + s + "'");
        };
    }

    public String cliName() {
        return this == LONG ? "long" : "prot32";
    }
}
