package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PayloadsTest {

    @Property
    void dataHasTheRequestedSizeAndCarriesTheNanoTime(
            @ForAll long nanoTime,
            @ForAll @IntRange(min = 0, max = 10_000) int writer,
            @ForAll @IntRange(min = 96, max = 5000) int size) {
        byte[] data = Payloads.json(nanoTime, writer, 123_456_789L, size);

        assertThat(data).hasSize(size);
        assertThat(Payloads.nanoTimeOf(data)).isEqualTo(nanoTime);
        String text = new String(data, StandardCharsets.US_ASCII);
        assertThat(text)
                .startsWith("{\"t\":" + nanoTime + ",\"w\":" + writer + ",")
                .endsWith("x\"}");
    }

    @Test
    void eventsAreJsonWithWellFormedVersion4Ids() {
        EventData e = Payloads.event(42, 1, 2, 200);

        assertThat(e.type()).isEqualTo(Payloads.EVENT_TYPE);
        assertThat(e.contentType()).isEqualTo(ContentType.JSON);
        assertThat(e.data()).hasSize(200);
        assertThat(e.metadata()).isEmpty();
        assertThat(e.eventId().version()).isEqualTo(4);
        assertThat(e.eventId().variant()).isEqualTo(2);
        assertThat(Payloads.event(42, 1, 2, 200).eventId()).isNotEqualTo(e.eventId());
    }

    @Test
    void dataTooSmallForTheNumbersGrowsRatherThanBreaks() {
        byte[] data = Payloads.json(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 10);

        assertThat(data.length).isGreaterThan(10);
        assertThat(Payloads.nanoTimeOf(data)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void foreignDataIsRefused() {
        assertThatThrownBy(() -> Payloads.nanoTimeOf("{\"x\":1}".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(BenchmarkFailedException.class);
        assertThatThrownBy(() -> Payloads.nanoTimeOf("{\"t\":,}".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(BenchmarkFailedException.class);
    }
}
