package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LoaderPlanTest {

    @Test
    void aBatchInsideOneStreamIsOnePart() {
        assertThat(Loader.plan(2000, 1000, 1000)).containsExactly(new Loader.Part(2, 2000, 1000));
    }

    @Test
    void aBatchAcrossStreamBoundariesIsSplitAtThem() {
        assertThat(Loader.plan(15, 20, 10))
                .containsExactly(new Loader.Part(1, 15, 5), new Loader.Part(2, 20, 10), new Loader.Part(3, 30, 5));
    }

    @Test
    void streamCountsRoundUp() {
        assertThat(Loader.eventsPerStream(1000, 3)).isEqualTo(334);
        assertThat(Loader.eventsPerStream(10, 100)).isEqualTo(1);
        assertThat(Loader.streamsFor(1001, 1000)).isEqualTo(2);
    }

    @Property
    void everyEventIsPlannedOnceInItsStream(
            @ForAll @LongRange(min = 0, max = 1_000_000) long first,
            @ForAll @IntRange(min = 1, max = 2000) int count,
            @ForAll @LongRange(min = 1, max = 5000) long perStream) {
        List<Loader.Part> parts = Loader.plan(first, count, perStream);

        long next = first;
        for (Loader.Part p : parts) {
            assertThat(p.firstEvent()).isEqualTo(next);
            assertThat(p.count()).isPositive();
            // Every event of the part belongs to the part's stream.
            assertThat(p.firstEvent() / perStream).isEqualTo(p.stream());
            assertThat((p.firstEvent() + p.count() - 1) / perStream).isEqualTo(p.stream());
            next += p.count();
        }
        assertThat(next).isEqualTo(first + count);
        assertThat(parts).extracting(Loader.Part::stream).doesNotHaveDuplicates();
    }

    @Property
    void anInterleavedBatchNamesEachStreamOnceAndCoversEveryEvent(
            @ForAll @LongRange(min = 0, max = 100_000) long first,
            @ForAll @IntRange(min = 1, max = 2000) int count,
            @ForAll @LongRange(min = 1, max = 3000) long streams) {
        List<Loader.Part> parts = Loader.planInterleaved(first, count, streams);

        assertThat(parts).extracting(Loader.Part::stream).doesNotHaveDuplicates();
        assertThat(parts.stream().mapToInt(Loader.Part::count).sum()).isEqualTo(count);
        assertThat(parts).allSatisfy(part -> assertThat(part.stream()).isBetween(0L, streams - 1));
    }

    @Test
    void withAsManyStreamsAsEventsEveryStreamGetsOneEventPerBatch() {
        List<Loader.Part> parts = Loader.planInterleaved(2000, 1000, 1000);

        assertThat(parts).hasSize(1000).allSatisfy(part -> assertThat(part.count())
                .isEqualTo(1));
    }
}
