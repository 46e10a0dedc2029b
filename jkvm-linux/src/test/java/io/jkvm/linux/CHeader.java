package io.jkvm.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Asks the C compiler about {@code <linux/kvm.h>}: a generated program prints {@code key value} lines
 * (ioctl numbers, sizeof/offsetof, macro values), compiled with gcc at test time. The header of the build
 * machine is the truth the Java side is checked against.
 */
final class CHeader {
    private CHeader() {}

    /** Aborts the calling test loudly (stderr and the report) when gcc or linux/kvm.h is missing. */
    static void assumeAvailable() {
        String why = unavailableReason();
        if (why != null) {
            System.err.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
    }

    private static String unavailableReason() {
        try {
            Result r = exec(List.of("gcc", "--version"), null);
            if (r.code != 0) return "gcc --version failed: " + r.out;
        } catch (IOException e) {
            return "gcc not installed (" + e.getMessage() + "): install gcc to check jkvm's layouts against <linux/kvm.h>";
        }
        try {
            Result r = exec(List.of("gcc", "-E", "-x", "c", "-"), "#include <linux/kvm.h>\n");
            if (r.code != 0) return "<linux/kvm.h> not found (install linux-libc-dev): " + r.out;
        } catch (IOException e) {
            return "gcc -E failed: " + e.getMessage();
        }
        return null;
    }

    /** Names of every macro {@code <linux/kvm.h>} defines (gcc -dM), sorted. */
    static TreeSet<String> macros() throws IOException {
        Result r = exec(List.of("gcc", "-dM", "-E", "-x", "c", "-"), "#include <linux/kvm.h>\n");
        if (r.code != 0) throw new IOException("gcc -dM failed:\n" + r.out);
        TreeSet<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("^#define ([A-Za-z_][A-Za-z0-9_]*)[ (]", Pattern.MULTILINE).matcher(r.out);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /** A program under construction: each {@link #print} becomes one {@code key value} output line. */
    static final class Program {
        private final StringBuilder decls = new StringBuilder();
        private final StringBuilder body = new StringBuilder();

        /** Extra top-level C (e.g. the seed's definition of a struct the header has since changed). */
        Program declare(String c) {
            decls.append(c).append('\n');
            return this;
        }

        Program print(String key, String cExpression) {
            if (key.contains("\"") || key.contains("\n")) throw new IllegalArgumentException(key);
            body.append("  P(\"").append(key).append("\", ").append(cExpression).append(");\n");
            return this;
        }

        /** Prints the macro's value under {@code key}, or nothing when the header does not define it. */
        Program printIfDefined(String key, String macro) {
            body.append("#ifdef ").append(macro).append('\n');
            print(key, macro);
            body.append("#endif\n");
            return this;
        }

        String source() {
            return """
                    #include <linux/kvm.h>
                    #include <stddef.h>
                    #include <stdio.h>
                    #define P(key, value) printf("%s %llu\\n", key, (unsigned long long) (value))
                    """ + decls + "int main(void) {\n" + body + "  return 0;\n}\n";
        }

        /** Compiles with gcc, runs, and returns key → value. A compile error fails with gcc's message. */
        Map<String, Long> run() throws IOException {
            Path dir = Files.createTempDirectory("jkvm-header");
            try {
                Path c = dir.resolve("layout.c"), exe = dir.resolve("layout");
                Files.writeString(c, source());
                Result cc = exec(List.of("gcc", "-std=gnu11", "-Wall", "-Wno-unused", "-o", exe.toString(), c.toString()), null);
                if (cc.code != 0) throw new AssertionError("gcc rejected the generated program (a Java name that "
                        + "<linux/kvm.h> does not have?):\n" + cc.out);
                Result out = exec(List.of(exe.toString()), null);
                if (out.code != 0) throw new IOException("layout program failed: " + out.out);
                Map<String, Long> values = new LinkedHashMap<>();
                for (String line : out.out.split("\n")) {
                    if (line.isBlank()) continue;
                    int sp = line.lastIndexOf(' ');
                    values.put(line.substring(0, sp), Long.parseUnsignedLong(line.substring(sp + 1)));
                }
                return values;
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) Files.deleteIfExists(p);
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    private record Result(int code, String out) {}

    private static Result exec(List<String> cmd, String stdin) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), out);
    }
}
