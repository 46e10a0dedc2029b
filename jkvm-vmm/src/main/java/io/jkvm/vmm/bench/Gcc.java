package io.jkvm.vmm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles the project's own C sources (shipped as class-path resources under {@code c/}) with the host's C
 * compiler at run time. Used where jkvm is measured or checked against plain C on /dev/kvm.
 */
public final class Gcc {
    private final String compiler;

    /** @param compiler the compiler command, e.g. "gcc" (looked up on PATH) or an absolute path */
    public Gcc(String compiler) {
        this.compiler = compiler;
    }

    /** Null when the compiler runs, else a sentence saying why not. */
    public String unavailableReason() {
        try {
            Process p = new ProcessBuilder(compiler, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "'" + compiler + " --version' did not finish";
            }
            return p.exitValue() == 0 ? null : "'" + compiler + " --version' exited with " + p.exitValue();
        } catch (IOException e) {
            return "C compiler '" + compiler + "' not found (" + e.getMessage() + "); install gcc";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Compiles class-path resource {@code c/<name>} (found through {@code loader}) into an executable in
     * {@code dir}; returns its path.
     *
     * @throws IOException when the source is missing or the compiler fails (with its output)
     */
    public Path compile(ClassLoader loader, String name, Path dir) throws IOException {
        Path src = dir.resolve(name);
        try (InputStream in = loader.getResourceAsStream("c/" + name)) {
            if (in == null) throw new IOException("C source c/" + name + " is not on the class path");
            Files.copy(in, src);
        }
        Path exe = dir.resolve(name.replaceFirst("\\.c$", ""));
        List<String> cmd = new ArrayList<>(List.of(compiler, "-O2", "-Wall", "-o", exe.toString(), src.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compiling " + name, e);
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        return exe;
    }

    /** Deletes a directory made for compiled programs, with its files (best effort: it is temporary). */
    public static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp dir is harmless
        }
    }
}
