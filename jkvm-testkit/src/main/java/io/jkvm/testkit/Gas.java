package io.jkvm.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Assembles test guests with GNU as + ld (binutils): source text in, flat binary out, linked so that its
 * first byte sits at guest-physical {@code base}. Results are cached by content hash, so a suite run
 * invokes the assembler once per distinct guest.
 */
public final class Gas {
    private Gas() {}

    private static final Path CACHE = Path.of(System.getProperty("java.io.tmpdir"), "jkvm-gas-" + System.getProperty("user.name"));

    /** Null when {@code as} and {@code ld} run here, else why not (tests skip loudly with this text). */
    public static String unavailableReason() {
        for (String tool : List.of("as", "ld")) {
            try {
                Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) return tool + " --version failed";
            } catch (IOException e) {
                return "GNU binutils not installed (" + tool + ": " + e.getMessage() + "); install binutils";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return null;
    }

    /** Assembles AT&amp;T-syntax {@code source} (use .code16/.code32/.code64) linked at {@code base}. */
    public static byte[] assemble(String source, long base) {
        try {
            String key = sha256(base + "\n" + source);
            Path bin = CACHE.resolve(key + ".bin");
            if (Files.exists(bin)) return Files.readAllBytes(bin);
            Files.createDirectories(CACHE);
            Path dir = Files.createTempDirectory(CACHE, "build");
            Path s = dir.resolve("guest.s"), o = dir.resolve("guest.o"), out = dir.resolve("guest.bin");
            Files.writeString(s, source + "\n");
            run(dir, "as", "--64", "-o", o.toString(), s.toString());
            run(dir, "ld", "-m", "elf_x86_64", "--oformat=binary", "-N", "-e", "0",
                    "-Ttext=0x" + Long.toHexString(base), "-o", out.toString(), o.toString());
            byte[] code = Files.readAllBytes(out);
            Path tmp = dir.resolve("final");
            Files.write(tmp, code);
            Files.move(tmp, bin, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            for (Path p : List.of(s, o, out)) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
            return code;
        } catch (IOException e) {
            throw new IllegalStateException("assembling guest failed: " + e.getMessage(), e);
        }
    }

    private static void run(Path dir, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) throw new IOException(cmd[0] + " timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
