package io.jkvm.vmm.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code jkvm run} process driven through its console, as a person at the terminal would: wait for text,
 * type a command, read what it printed. Each command is followed by an echo of a marker computed by the
 * guest's shell ({@code $((n+1))}), so the marker in the output cannot be the terminal's echo of the input.
 */
final class GuestConsole implements AutoCloseable {
    private final Process process;
    private final OutputStream in;
    private final StringBuilder seen = new StringBuilder();
    private final Thread reader;
    private int consumed, commands;

    GuestConsole(List<String> command) throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        in = process.getOutputStream();
        InputStream out = process.getInputStream();
        reader = Thread.ofPlatform().daemon().name("guest-console").start(() -> pump(out));
    }

    private void pump(InputStream out) {
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = out.read(buf)) > 0; ) {
                synchronized (seen) {
                    seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    seen.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        synchronized (seen) {
            seen.notifyAll();
        }
    }

    /** Waits until {@code text} appears after everything consumed so far; returns the output up to it. */
    String waitFor(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (seen) {
            while (true) {
                int at = seen.indexOf(text, consumed);
                if (at >= 0) {
                    String s = seen.substring(consumed, at);
                    consumed = at + text.length();
                    return s;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!reader.isAlive() && seen.indexOf(text, consumed) < 0))
                    throw new AssertionError((reader.isAlive() ? "no '" + text + "' within " + timeout.toSeconds() + " s"
                            : "jkvm ended before printing '" + text + "'") + "; console so far:\n" + tail());
                seen.wait(Math.max(1, Math.min(left / 1_000_000, 1000)));
            }
        }
    }

    /** Types {@code command} and returns what it printed (without the echoed command line). */
    String run(String command, Duration timeout) throws IOException, InterruptedException {
        int n = ++commands;
        String echoed = "@@$((" + n + "+1000))@@";
        type(command + "; echo " + echoed);
        String out = waitFor("@@" + (n + 1000) + "@@", timeout);
        int eol = out.indexOf('\n', Math.max(0, out.lastIndexOf(echoed)));   // output follows the (last) echo of the line
        return (eol < 0 ? "" : out.substring(eol + 1)).replace("\r", "");
    }

    void type(String line) throws IOException {
        in.write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
        in.flush();
    }

    /** SIGTERM, as a service manager would stop jkvm (with --snapshot-dir it saves the VM first). */
    void terminate() {
        process.destroy();
    }

    /** The process's exit status, waiting up to {@code timeout}. */
    int exitStatus(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            throw new AssertionError("jkvm did not exit within " + timeout.toSeconds() + " s; console:\n" + tail());
        reader.join(5000);
        return process.exitValue();
    }

    String tail() {
        synchronized (seen) {
            return seen.length() <= 6000 ? seen.toString() : seen.substring(seen.length() - 6000);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
