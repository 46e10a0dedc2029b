package io.jkvm.vmm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs the CLI in-process (as {@code ./jkvm} would, minus the JVM start) and captures what it prints. */
record Cli(int status, String out, String err) {

    static Cli run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        String e = err.toString();
        if (!e.isEmpty()) System.err.print("[jkvm " + String.join(" ", args) + " stderr] " + e);
        return new Cli(status, out.toString(), e);
    }

    List<String> lines() {
        return out.lines().toList();
    }

    /** For assertion messages: everything the command printed. */
    String transcript() {
        return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
