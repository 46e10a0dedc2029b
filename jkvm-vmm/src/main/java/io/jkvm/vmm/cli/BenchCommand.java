package io.jkvm.vmm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jkvm bench}: the group of benchmarks; each benchmark is one subcommand class listed here. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {ExitLatencyCommand.class, BenchLoopCommand.class, BenchBootCommand.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "missing benchmark; one of " + spec.commandLine().getSubcommands().keySet());
    }
}
