package io.jkvm.vmm.machine;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.x86.Cr;
import io.jkvm.testkit.Backends;
import io.jkvm.testkit.Gas;
import io.jkvm.vmm.MachineConfig;
import io.jkvm.vmm.MachineExit;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.boot.SyntheticBzImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A synthetic bzImage whose "kernel" records the state it was entered in: the 64-bit boot protocol's
 * (long mode with paging, CS = __BOOT_CS 0x10, DS = SS = __BOOT_DS 0x18, IF = 0, RSI = boot_params) and the
 * 32-bit one's (protected mode, paging off, ESI = boot_params) — checked by running it.
 */
class BootEntryGuestTest {
    @TempDir
    Path dir;

    static java.util.stream.Stream<String> backends() {
        return Backends.all();
    }

    static final String RECORD = """
                mov $0x200000, %edi
                mov %esi, (%edi)
                mov %cs, %eax
                mov %eax, 8(%edi)
                mov %ds, %eax
                mov %eax, 12(%edi)
                mov %ss, %eax
                mov %eax, 16(%edi)
                pushf
                pop %ACC
                mov %eax, 20(%edi)
                mov %cr0, %ACC
                mov %eax, 24(%edi)
                mov %cr4, %ACC
                mov %eax, 28(%edi)
                mov 0x228(%esi), %eax
                mov %eax, 32(%edi)
                mov $0, %al
                out %al, $0xf4
            1:  hlt
                jmp 1b
            """;

    MachineRun boot(String backend, boolean lm) throws Exception {
        Backends.assumeAvailable(backend);
        Backends.assumeAssembler();
        SyntheticBzImage s = new SyntheticBzImage();
        s.xloadflags = lm ? 1 : 0;
        // the accumulator's width: pop and mov from CR need the mode's full register
        String code = RECORD.replace("%ACC", lm ? "%rax" : "%eax");
        s.payload = Gas.assemble((lm ? ".code64\n.org 0x200\n" : ".code32\n") + code, Layout.HIMEM_START);
        Path k = Files.write(dir.resolve("bzImage"), s.bytes());
        var kernel = new MachineConfig.Kernel(MachineConfig.KernelKind.BZIMAGE, k, null, List.of());
        return MachineRun.run(new MachineConfig(backend, 32 << 20, 1, kernel, "console=ttyS0", List.of(), false, false, true), null);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void longModeEntryAtStartup64(String backend) throws Exception {
        try (MachineRun r = boot(backend, true)) {
            assertEquals(new MachineExit.DebugExit(1), r.exit(), r.toString());
            assertEquals((int) Layout.ZERO_PAGE, r.u32(Guests.RESULT), "RSI = boot_params");
            assertEquals(0x10, r.u32(Guests.RESULT + 8), "CS = __BOOT_CS");
            assertEquals(0x18, r.u32(Guests.RESULT + 12), "DS = __BOOT_DS");
            assertEquals(0x18, r.u32(Guests.RESULT + 16), "SS = __BOOT_DS");
            assertEquals(0, r.u32(Guests.RESULT + 20) & 0x200, "IF = 0");
            assertEquals(Cr.X86_CR0_PG | Cr.X86_CR0_PE, r.u32(Guests.RESULT + 24) & (Cr.X86_CR0_PG | Cr.X86_CR0_PE), "paging on");
            assertEquals(Cr.X86_CR4_PAE, r.u32(Guests.RESULT + 28) & Cr.X86_CR4_PAE, "PAE");
            assertEquals((int) Layout.CMDLINE, r.u32(Guests.RESULT + 32), "the kernel sees cmd_line_ptr in boot_params");
            assertTrue(r.machine().boot().cmdlineSize() > 0);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void protectedModeEntryAtCode32Start(String backend) throws Exception {
        try (MachineRun r = boot(backend, false)) {
            assertEquals(new MachineExit.DebugExit(1), r.exit(), r.toString());
            assertEquals((int) Layout.ZERO_PAGE, r.u32(Guests.RESULT), "ESI = boot_params");
            assertEquals(0x10, r.u32(Guests.RESULT + 8), "CS = __BOOT_CS");
            assertEquals(0x18, r.u32(Guests.RESULT + 12), "DS = __BOOT_DS");
            assertEquals(Cr.X86_CR0_PE, r.u32(Guests.RESULT + 24) & (Cr.X86_CR0_PG | Cr.X86_CR0_PE), "protected mode, paging off");
        }
    }
}
