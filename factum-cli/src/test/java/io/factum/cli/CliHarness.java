package io.factum.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Runs the CLI in-process with captured streams and a controllable shutdown. */
final class CliHarness {
    private final StoreOpener opener;
    final FakeShutdownHooks hooks = new FakeShutdownHooks();
    int widthColumns = 100;

    CliHarness(StoreOpener opener) {
        this.opener = opener;
    }

    /** Captured output of one run; {@code out} and {@code err} may be read while it runs. */
    static final class Run {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        volatile int exitCode = -1;

        List<String> outLines() {
            return out.toString().lines().toList();
        }

        List<String> errLines() {
            return err.toString().lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    Run run(String... args) {
        return runWithStdin("", args);
    }

    Run runWithStdin(String stdin, String... args) {
        Run run = new Run();
        run.exitCode = FactumCli.run(context(run, stdin), args);
        return run;
    }

    CliContext context(Run run, String stdin) {
        CliIo io = new CliIo(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(run.out, true),
                new PrintWriter(run.err, true),
                widthColumns,
                false);
        return new CliContext(opener, io, hooks);
    }

    /** Shutdown hooks the test fires itself, as Ctrl-C would. */
    static final class FakeShutdownHooks implements ShutdownHooks {
        final List<Runnable> registered = new ArrayList<>();
        final List<Runnable> unregistered = new ArrayList<>();

        @Override
        public synchronized Registration register(Runnable hook) {
            registered.add(hook);
            return () -> {
                synchronized (this) {
                    unregistered.add(hook);
                }
            };
        }

        synchronized List<Runnable> active() {
            List<Runnable> active = new ArrayList<>(registered);
            active.removeAll(unregistered);
            return active;
        }
    }
}
