package io.jkvm.vmm.cli;

import io.jkvm.api.KvmException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code jkvm}: the command line of the jkvm VMM. Each subcommand is one class listed in
 * {@code subcommands} below (a group such as {@code bench} lists its own). Exit status: 0 success,
 * 1 a failure the message explains (a {@link KvmException}, a guest that stopped wrongly, a missing tool),
 * 2 bad usage, 70 a bug in jkvm.
 */
@Command(name = "jkvm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The Linux KVM API in Java: a /dev/kvm backend, a pure-Java KVM, and a VMM on top.",
        subcommands = {InfoCommand.class, HelloCommand.class, RunCommand.class, DemoCommand.class, BenchCommand.class,
            FuzzCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_FAILURE = 1, EXIT_USAGE = 2, EXIT_SOFTWARE = 70;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** The writer main() gives picocli for stdout; a command seeing it may write raw bytes to System.out instead. */
    static volatile PrintWriter processStdout;

    public static void main(String[] args) {
        processStdout = new PrintWriter(System.out, true);
        System.exit(execute(processStdout, new PrintWriter(System.err, true), args));
    }

    /** Runs the CLI in-process with {@code out}/{@code err} as its streams; returns the exit status. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main())
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler(Main::onFailure);
        try {
            return cl.execute(args);
        } catch (Error e) {  // picocli lets Errors through; they still must end in a message and a status
            err.println("jkvm: fatal: " + e);
            e.printStackTrace(err);
            return EXIT_SOFTWARE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Turns an exception out of a subcommand into one line on stderr and an exit status. */
    private static int onFailure(Exception e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String who = cl.getCommandSpec().qualifiedName();
        return switch (e) {
            case KvmException k -> {
                err.println(who + ": " + k.getMessage());
                yield EXIT_FAILURE;
            }
            case io.jkvm.vmm.boot.BootException b -> {
                err.println(who + ": " + b.getMessage());
                yield EXIT_FAILURE;
            }
            case io.jkvm.vmm.snapshot.SnapshotException sn -> {
                err.println(who + ": " + sn.getMessage());
                yield EXIT_FAILURE;
            }
            case CliFailure f -> {
                err.println(who + ": " + f.getMessage());
                yield f.exitCode();
            }
            default -> {
                err.println(who + ": internal error: " + e);
                e.printStackTrace(err);
                yield EXIT_SOFTWARE;
            }
        };
    }

    /** {@code --version}: the version recorded in the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jkvm " + (v != null ? v : "(development build)"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
        }
    }
}
