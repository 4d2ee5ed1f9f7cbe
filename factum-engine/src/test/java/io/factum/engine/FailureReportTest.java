package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.InvalidInputException;
import io.factum.api.StoreFailedException;
import io.factum.api.WrongExpectedVersionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Which failures are expected (one line) and which are bugs (a trace), and how each prints. */
class FailureReportTest {

    private final Path dataDir = Path.of("/data/store");

    @Test
    void theEnginesOwnFailuresKeepTheirMessagesWhichSayWhatToDo() {
        var locked = new DataDirectoryLockedException(dataDir);
        assertThat(FailureReport.expectedMessage(locked)).contains(locked.getMessage());
        var corrupt = new CorruptStoreException(dataDir.resolve("log/x.log"), 7, "bad frame");
        assertThat(FailureReport.expectedMessage(corrupt)).hasValueSatisfying(m -> assertThat(m)
                .startsWith("/data/store/log/x.log is corrupt at byte offset 7: bad frame")
                .contains("factum verify"));
    }

    @Test
    void contractFailuresAreExpected() {
        var conflict = new WrongExpectedVersionException("s", io.factum.api.ExpectedVersion.noStream(), 3);
        assertThat(FailureReport.expectedMessage(conflict)).contains(conflict.getMessage());
        var input = new InvalidInputException("stream", "", "must not be empty");
        assertThat(FailureReport.expectedMessage(input)).contains(input.getMessage());
    }

    @Test
    void aStoreFailureNamesItsCauseOnce() {
        var disk = new IOException("No space left on device");
        assertThat(FailureReport.expectedMessage(new StoreFailedException("append failed", disk)))
                .contains("append failed (cause: I/O error: No space left on device)");
        var readOnly = new StoreFailedException("read-only (syncing failed: No space left on device)", disk);
        assertThat(FailureReport.expectedMessage(readOnly)).contains(readOnly.getMessage());
    }

    @Test
    void ioErrorsAreExpectedAndSeenThroughTheirWrappers() {
        assertThat(FailureReport.expectedMessage(new UncheckedIOException(new NoSuchFileException("/x/y"))))
                .contains("no such file or directory: /x/y");
        assertThat(FailureReport.expectedMessage(new CompletionException(new AccessDeniedException("/x"))))
                .contains("permission denied: /x");
        assertThat(FailureReport.expectedMessage(new IOException("Connection refused")))
                .contains("I/O error: Connection refused");
    }

    @Test
    void bugsAreNotExpected() {
        assertThat(FailureReport.expectedMessage(new NullPointerException("x"))).isEmpty();
        assertThat(FailureReport.expectedMessage(new IllegalStateException("x")))
                .isEmpty();
        assertThat(FailureReport.expectedMessage(new CompletionException(new AssertionError("x"))))
                .isEmpty();
    }

    @Test
    void anExpectedFailurePrintsOneLineAndItsTraceOnlyWithDebug() {
        var failure = new DataDirectoryLockedException(dataDir);
        String quiet = print(failure, false);
        assertThat(quiet.lines()).containsExactly("factum: " + failure.getMessage());
        String debug = print(failure, true);
        assertThat(debug.lines().findFirst()).contains("factum: " + failure.getMessage());
        assertThat(debug).contains("DataDirectoryLockedException").contains("\tat ");
    }

    @Test
    void aMultiLineMessageBecomesOneLine() {
        String printed = print(new IOException("first\n   second"), false);
        assertThat(printed.lines()).containsExactly("factum: I/O error: first second");
    }

    @Test
    void aBugAlwaysPrintsItsTrace() {
        String printed = print(new NullPointerException("boom"), false);
        assertThat(printed.lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
                .startsWith("factum: internal error: java.lang.NullPointerException: boom")
                .contains("a bug in Factum"));
        assertThat(printed).contains("\tat ");
    }

    private static String print(Throwable failure, boolean debug) {
        StringWriter text = new StringWriter();
        FailureReport.print(failure, FailureReport.expectedMessage(failure), debug, new PrintWriter(text));
        return text.toString();
    }
}
