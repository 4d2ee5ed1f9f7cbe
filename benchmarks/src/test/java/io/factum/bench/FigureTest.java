package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class FigureTest {

    @Test
    void formatsEachUnitForPeople() {
        assertThat(Figure.of("x", 312_345.6, "events/s").display()).isEqualTo("312,346 events/s");
        assertThat(Figure.of("x", 1.87049, "ms").display()).isEqualTo("1.870 ms");
        assertThat(Figure.of("x", 406.25, "MB/s").display()).isEqualTo("406.3 MB/s");
        assertThat(Figure.of("x", 36.987, "x").display()).isEqualTo("36.99x");
        assertThat(Figure.of("x", 61.04, "%").display()).isEqualTo("61.0%");
        assertThat(Figure.of("x", 21.25, "bytes/event").display()).isEqualTo("21.3 bytes/event");
        assertThat(Figure.of("x", Double.NaN, "events/s").display()).isEqualTo("n/a");
    }

    @Test
    void latencyPercentilesComeFromTheHistogramInMilliseconds() {
        Histogram h = new Histogram(Latency.SIGNIFICANT_DIGITS);
        for (int i = 0; i < 990; i++) {
            h.recordValue(1_000_000); // 1 ms
        }
        for (int i = 0; i < 9; i++) {
            h.recordValue(5_000_000); // 5 ms
        }
        h.recordValue(100_000_000); // 100 ms, the single worst

        Latency l = Latency.of(h);

        assertThat(l.count()).isEqualTo(1000);
        assertThat(l.p50Ms()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.001));
        assertThat(l.p99Ms()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.001));
        assertThat(l.p999Ms()).isCloseTo(5.0, org.assertj.core.data.Offset.offset(0.005));
        assertThat(l.maxMs()).isCloseTo(100.0, org.assertj.core.data.Offset.offset(0.1));
        assertThat(l.brief()).isEqualTo("p50 1.000 ms, p99 1.000 ms");
    }

    @Test
    void latencyFiguresAreNamedAndCarryTheTargetOnP99Only() {
        Latency l = new Latency(10, 0.5, 1.5, 2.5, 3.5);

        List<Figure> figures = l.figures("append latency", "<= 2 ms");

        assertThat(figures)
                .extracting(Figure::name)
                .containsExactly(
                        "append latency p50",
                        "append latency p99",
                        "append latency p99.9",
                        "append latency max",
                        "append latency samples");
        assertThat(figures.get(1).target()).contains("<= 2 ms");
        assertThat(figures.get(0).target()).isEmpty();
        assertThat(figures.get(3).value()).isEqualTo(3.5);
    }
}
