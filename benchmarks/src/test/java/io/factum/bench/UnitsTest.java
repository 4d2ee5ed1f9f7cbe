package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class UnitsTest {

    @Test
    void parsesDurationsInEveryUnit() {
        assertThat(Units.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Units.parseDuration("3")).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void rejectsMalformedDurationsNamingTheValue() {
        assertThatThrownBy(() -> Units.parseDuration("ten seconds"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'ten seconds'");
        assertThatThrownBy(() -> Units.parseDuration("-1s")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void parsesCountsWithSeparatorsAndSuffixes() {
        assertThat(Units.parseCount("1000")).isEqualTo(1000);
        assertThat(Units.parseCount("1_000_000")).isEqualTo(1_000_000);
        assertThat(Units.parseCount("1,000,000")).isEqualTo(1_000_000);
        assertThat(Units.parseCount("2k")).isEqualTo(2_000);
        assertThat(Units.parseCount("10m")).isEqualTo(10_000_000);
        assertThat(Units.parseCount("1g")).isEqualTo(1_000_000_000);
        assertThatThrownBy(() -> Units.parseCount("lots")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> Units.parseCount("-5")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void parsesSizesInBinaryUnits() {
        assertThat(Units.parseSize("200")).isEqualTo(200);
        assertThat(Units.parseSize("4k")).isEqualTo(4096);
        assertThat(Units.parseSize("64m")).isEqualTo(64L << 20);
        assertThat(Units.parseSize("64MiB")).isEqualTo(64L << 20);
        assertThat(Units.parseSize("1g")).isEqualTo(1L << 30);
        assertThat(Units.parseSize("1GB")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> Units.parseSize("big")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void formatsInTheLargestExactUnit() {
        assertThat(Units.formatDuration(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Units.formatDuration(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Units.formatDuration(Duration.ZERO)).isEqualTo("0s");
        assertThat(Units.formatSize(1L << 30)).isEqualTo("1g");
        assertThat(Units.formatSize(3L << 20)).isEqualTo("3m");
        assertThat(Units.formatSize(200)).isEqualTo("200");
        assertThat(Units.formatCount(10_000_000)).isEqualTo("10_000_000");
    }

    @Property
    void durationsPrintAndParseBackExactly(@ForAll @LongRange(min = 0, max = 100_000_000) long millis) {
        Duration d = Duration.ofMillis(millis);
        assertThat(Units.parseDuration(Units.formatDuration(d))).isEqualTo(d);
    }

    @Property
    void countsAndSizesPrintAndParseBackExactly(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE >> 31) long n) {
        assertThat(Units.parseCount(Units.formatCount(n))).isEqualTo(n);
        assertThat(Units.parseSize(Units.formatSize(n))).isEqualTo(n);
    }
}
