package io.jkvm.vmm;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs jkvm's CLI in a fresh JVM — the same java, class path and JVM options as this
 * one — for benchmarks and tests that must measure or check what a user's separate {@code jkvm} process does.
 */
public final class JkvmCommand {
    private JkvmCommand() {}

    public static List<String> of(List<String> jkvmArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // profilers and debuggers of this JVM must not be inherited (ports, output files)
            if (a.startsWith("-agentlib") || a.startsWith("-javaagent") || a.startsWith("-XX:StartFlightRecording")) continue;
            cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.jkvm.vmm.cli.Main"));
        cmd.addAll(jkvmArgs);
        return cmd;
    }
}
