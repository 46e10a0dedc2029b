package io.jkvm.vmm.cli;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The controlling terminal in the mode a serial console needs: no line editing and no echo (the guest
 * echoes), no CR/NL translation either way, but signals kept, so Ctrl-C still stops the VM. Done with
 * {@code stty} on the inherited stdin; {@link #restore()} puts back the exact settings {@code stty -g} saved,
 * and is called on every way out (normal exit, exception, signal, JVM shutdown).
 */
final class Terminal implements AutoCloseable {
    private final String saved;
    private boolean restored;
    private final Thread hook;

    private Terminal(String saved) {
        this.saved = saved;
        this.hook = new Thread(this::restore, "terminal-restore");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Raw mode when stdin is a terminal; null (nothing to restore) otherwise. */
    static Terminal rawIfTty() {
        java.io.Console c = System.console();
        if (c == null || !c.isTerminal() || !foreground()) return null;
        try {
            String saved = stty("-g").strip();
            if (saved.isEmpty()) return null;
            stty("raw", "-echo", "isig");
            return new Terminal(saved);
        } catch (IOException e) {
            return null;  // no stty: the console stays cooked, which still works line by line
        }
    }

    /**
     * True when this process is in the terminal's foreground process group. A background job that changed
     * the terminal's modes would be stopped by SIGTTOU (and leave the modes to the job in front anyway).
     */
    private static boolean foreground() {
        try {
            Process p = new ProcessBuilder("ps", "-o", "pgid=,tpgid=", "-p", Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).start();
            String[] f = new String(p.getInputStream().readAllBytes()).trim().split("\\s+");
            return p.waitFor() == 0 && f.length == 2 && f[0].equals(f[1]);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    synchronized void restore() {
        if (restored) return;
        restored = true;
        try {
            stty(saved);
        } catch (IOException e) {
            System.err.println("jkvm: could not restore the terminal (run 'stty sane'): " + e.getMessage());
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs (and finds the work done)
        }
    }

    private static String stty(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("stty " + String.join(" ", args) + " failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return out;
    }
}
