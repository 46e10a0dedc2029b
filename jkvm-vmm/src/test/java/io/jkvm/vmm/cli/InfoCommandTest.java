package io.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.vmm.bench.Gcc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jkvm info}: every capability by name, and the same numbers a C program gets from /dev/kvm. */
class InfoCommandTest {
    /** {@code  <mark> <number>  <name> <value>} — see InfoCommand. */
    private static final Pattern CAP_LINE = Pattern.compile("^  ([* ])\\s+(\\d+)  (.+?)\\s+(-?\\d+)$");

    /** What info printed, parsed. Caps not printed (unnamed numbers answering 0) are absent. */
    record Info(int api, int mmap, String msrs, String cpuid, Map<Integer, String> names, Map<Integer, Integer> caps) {
        static Info parse(Cli r) {
            Map<Integer, String> names = new HashMap<>();
            Map<Integer, Integer> caps = new HashMap<>();
            int api = -1, mmap = -1;
            String msrs = null, cpuid = null;
            for (String line : r.lines()) {
                Matcher m = CAP_LINE.matcher(line);
                if (m.matches()) {
                    int n = Integer.parseInt(m.group(2)), v = Integer.parseInt(m.group(4));
                    assertEquals(v != 0 ? "*" : " ", m.group(1), "non-zero mark of " + line);
                    assertNull(caps.put(n, v), "capability " + n + " printed twice");
                    names.put(n, m.group(3));
                } else if (line.startsWith("api version")) {
                    api = Integer.parseInt(field(line));
                } else if (line.startsWith("vcpu mmap size")) {
                    mmap = Integer.parseInt(field(line));
                } else if (line.startsWith("msr index list")) {
                    msrs = field(line);
                } else if (line.startsWith("supported cpuid")) {
                    cpuid = field(line);
                }
            }
            return new Info(api, mmap, msrs, cpuid, names, caps);
        }

        /** The first word after the two-word (or three-word) label. */
        private static String field(String line) {
            return line.substring(17).trim().split("\\s+")[0];
        }
    }

    @Test
    void listsEveryCapabilityByNameWithItsNumber() {
        Skip.unlessBackend("linux");
        Cli r = Cli.run("info", "--backend", "linux");
        assertEquals(0, r.status(), r.transcript());
        assertTrue(r.out().startsWith("backend          linux\n"), r.transcript());
        Info info = Info.parse(r);
        assertEquals(12, info.api(), r.transcript());
        assertTrue(info.mmap() >= 4096, r.transcript());
        for (Cap c : Cap.values()) {
            assertEquals(c.name(), info.names().get(c.number), "line for " + c + "\n" + r.transcript());
        }
        // basic capabilities every x86 KVM has had since 2.6.2x
        assertTrue(info.caps().get(Cap.KVM_CAP_USER_MEMORY.number) > 0, r.transcript());
        assertTrue(info.caps().get(Cap.KVM_CAP_SET_TSS_ADDR.number) > 0, r.transcript());
        assertTrue(Integer.parseInt(info.msrs()) > 0, r.transcript());
        assertTrue(Integer.parseInt(info.cpuid()) > 0, r.transcript());
    }

    @Test
    void matchesWhatCAsksOfDevKvm(@TempDir Path dir) throws IOException, InterruptedException {
        Skip.unlessBackend("linux");
        Skip.unlessGcc();
        Map<String, Integer> c = new HashMap<>();
        Map<Integer, Integer> cCaps = new HashMap<>();
        for (String line : runProbe(dir)) {
            String[] w = line.split(" ");
            if (w[0].equals("cap")) cCaps.put(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
            else c.put(w[0], Integer.parseInt(w[1]));
        }
        assertEquals(261, cCaps.size(), "the probe asks caps 0..260");

        Cli r = Cli.run("info", "--backend", "linux");
        assertEquals(0, r.status(), r.transcript());
        Info info = Info.parse(r);
        assertEquals(c.get("api"), info.api(), "KVM_GET_API_VERSION");
        assertEquals(c.get("mmap"), info.mmap(), "KVM_GET_VCPU_MMAP_SIZE");
        assertEquals(String.valueOf(c.get("msrs")), info.msrs(), "KVM_GET_MSR_INDEX_LIST count");
        assertEquals(String.valueOf(c.get("cpuid")), info.cpuid(), "KVM_GET_SUPPORTED_CPUID count");
        List<String> mismatches = new ArrayList<>();
        for (var e : cCaps.entrySet()) {
            int jkvm = info.caps().getOrDefault(e.getKey(), 0);  // info leaves out only unnamed zeros
            if (jkvm != e.getValue()) {
                mismatches.add("cap " + e.getKey() + " " + info.names().get(e.getKey()) + ": C " + e.getValue()
                        + ", jkvm info " + jkvm);
            }
        }
        assertEquals(List.of(), mismatches, "KVM_CHECK_EXTENSION answers differ");
    }

    private static List<String> runProbe(Path dir) throws IOException, InterruptedException {
        Path probe = new Gcc("gcc").compile(InfoCommandTest.class.getClassLoader(), "check_extension.c", dir);
        Process p = new ProcessBuilder(probe.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe timed out");
        assertEquals(0, p.exitValue(), "probe failed:\n" + out);
        assertTrue(Files.exists(probe));
        return out.lines().toList();
    }
}
