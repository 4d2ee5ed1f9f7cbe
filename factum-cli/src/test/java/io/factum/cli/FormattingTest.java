package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The small parsers and formatters behind the verbs. */
class FormattingTest {

    @Test
    void durationsAsPeopleTypeThem() {
        assertThat(Durations.parse("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("1d12h30m5s")).isEqualTo(Duration.ofSeconds(86_400 + 43_200 + 1_800 + 5));
        assertThat(Durations.parse("PT36H")).isEqualTo(Duration.ofHours(36));
    }

    @Test
    void durationMistakesNameTheValue() {
        for (String bad : new String[] {"", "soon", "5x", "d", "1.5h", "-3s", "PT0.5S", "99999999999999999999"}) {
            assertThatThrownBy(() -> Durations.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void durationsFormatBackToTheShortForm() {
        for (String text : new String[] {"0s", "59s", "1m", "1h1s", "1d12h", "400d"}) {
            assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
        }
    }

    @Test
    void cutMarksWhatItDropsAndCleansControlCharacters() {
        assertThat(EventTable.cut("abcdef", 6)).isEqualTo("abcdef");
        assertThat(EventTable.cut("abcdefg", 6)).isEqualTo("abc...");
        assertThat(EventTable.cut("abcdefg", 2)).isEqualTo("ab");
        assertThat(EventTable.cut("a\tb\nc", 10)).isEqualTo("a b c");
    }

    @Test
    void byteCounts() {
        assertThat(StatsCommand.bytes(0)).isEqualTo("0 bytes");
        assertThat(StatsCommand.bytes(1023)).isEqualTo("1023 bytes");
        assertThat(StatsCommand.bytes(256L << 20)).isEqualTo("256.0 MiB (268,435,456 bytes)");
    }

    @Test
    void uuidsMustBeCanonical() {
        assertThat(Uuids.parse("0B6B1B8E-6A53-4F3C-9D5B-3C2F3A7F1E01").toString())
                .isEqualTo("0b6b1b8e-6a53-4f3c-9d5b-3c2f3a7f1e01");
        assertThatThrownBy(() -> Uuids.parse("1-1-1-1-1")).hasMessageContaining("'1-1-1-1-1' is not a UUID");
    }
}
