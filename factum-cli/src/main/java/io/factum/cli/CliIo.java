package io.factum.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Objects;

/**
 * The CLI's terminal: its streams and what is known about the screen.
 *
 * @param in standard input (events for {@code append})
 * @param out standard output: results only, so that they can be piped
 * @param err standard error: errors and hints for people
 * @param widthColumns the width tables are fitted to
 * @param stdinInteractive true when standard input is a terminal (then {@code append} says that it
 *     waits for input instead of seeming to hang)
 */
record CliIo(InputStream in, PrintWriter out, PrintWriter err, int widthColumns, boolean stdinInteractive) {

    /** Tables never get narrower than this, whatever the terminal says. */
    static final int MIN_WIDTH_COLUMNS = 60;

    CliIo {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        widthColumns = Math.max(MIN_WIDTH_COLUMNS, widthColumns);
    }
}
