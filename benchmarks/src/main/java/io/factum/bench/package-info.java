/**
 * The benchmark suite behind {@code ./factum bench}: one picocli subcommand per scenario, each
 * reporting figures next to this machine's measured ceilings (fsync rate, sequential write
 * bandwidth). Benchmarks report; nothing here asserts speed.
 */
@NullMarked
package io.factum.bench;

import org.jspecify.annotations.NullMarked;
