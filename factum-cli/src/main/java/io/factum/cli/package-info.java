/**
 * The {@code factum} command: verbs that work on an embedded data directory (append, read,
 * read-all, tail, metadata, delete, verify, stats). {@link io.factum.cli.FactumCli} is the entry
 * point; the {@code ./factum} launcher at the repository root builds the project and starts it.
 *
 * <p>Output goes to standard output (an aligned table, or JSON lines with {@code --json}); every
 * failure is one line on standard error starting with {@code factum: } and a non-zero exit code.
 */
@NullMarked
package io.factum.cli;

import org.jspecify.annotations.NullMarked;
