package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's tag and type index follows the stream index's crash rules: it survives a restart,
 * is rebuilt from the log when deleted or damaged, is caught up with the log's tail when it lags,
 * and {@code verify} checks every one of its entries against the log.
 *
 * <p>A 128-entry memtable, so the entries of a few hundred events live in index files.
 */
class EmbeddedEventStoreTagIndexTest {
    private static final int ACCOUNTS = 7;

    @TempDir
    Path dataDir;

    private final List<Query> queries = List.of(
            Query.tagged("account:3"),
            Query.of(QueryItem.types("Deposited").withTags("account:5")),
            Query.of(QueryItem.types("Withdrawn"), QueryItem.tagged("account:1", "big")),
            Query.tagged("nobody"));

    private EngineOptions options() {
        return EngineOptions.defaults(dataDir).withIndexMemtableEntries(128);
    }

    @Test
    void queriesAnswerTheSameAfterARestartADeletedIndexAndARebuild() throws IOException {
        List<List<RecordedEvent>> before;
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            write(store, 0, 300);
            before = answers(store);
            assertThat(before.get(0)).isNotEmpty().allSatisfy(e -> assertThat(e.tags())
                    .contains("account:3"));
        }
        assertThat(reopenedAnswers()).isEqualTo(before);

        deleteTree(dataDir.resolve("tag-index"));
        assertThat(reopenedAnswers()).as("rebuilt at open").isEqualTo(before);

        assertThat(EmbeddedEventStore.rebuildIndex(options())).isEqualTo(300);
        assertThat(reopenedAnswers()).as("after rebuild-index").isEqualTo(before);
        VerifyReport report = EmbeddedEventStore.verify(dataDir);
        assertThat(report.problems()).isEmpty();
        // Every record: one stream entry, one type entry, one entry per tag.
        assertThat(report.indexEntriesChecked()).isEqualTo(300 + 300 + tagCount(0, 300));
    }

    @Test
    void aLaggingTagIndexIsCaughtUpFromTheLogAtOpen() throws IOException {
        Path saved = dataDir.resolveSibling(dataDir.getFileName() + "-saved-tag-index");
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            write(store, 0, 200);
        }
        copyTree(dataDir.resolve("tag-index"), saved);
        List<List<RecordedEvent>> after;
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            write(store, 200, 150);
            after = answers(store);
        }
        deleteTree(dataDir.resolve("tag-index"));
        copyTree(saved, dataDir.resolve("tag-index"));
        assertThat(reopenedAnswers()).isEqualTo(after);
        assertThat(EmbeddedEventStore.verify(dataDir).problems()).isEmpty();
    }

    @Test
    void aDamagedTagIndexFileIsReportedByVerifyAndRebuiltAtTheNextOpen() throws IOException {
        List<List<RecordedEvent>> before;
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            write(store, 0, 300);
            before = answers(store);
        }
        Path file = tagIndexFiles().get(0);
        flipByte(file, 8); // the header, which open checks
        VerifyReport report = EmbeddedEventStore.verify(dataDir);
        assertThat(report.problems())
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.file().toString()).contains("tag-index"));

        assertThat(reopenedAnswers()).isEqualTo(before);
        assertThat(EmbeddedEventStore.verify(dataDir).problems()).isEmpty();
    }

    @Test
    void aQueryReadReturnsEveryStoredMatchLikeAllWhateverTheStreamsMetadataSays() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            write(store, 0, 50);
            store.delete("account-3", ExpectedVersion.any());
            QueryReadResult read = store.readByQuery(Query.tagged("account:3"), 0, Direction.FORWARDS, 1000);
            List<RecordedEvent> all = store.readAll(ReadAllOptions.forwards(0, 1000)).events().stream()
                    .filter(e -> e.tags().contains("account:3"))
                    .toList();
            assertThat(read.events()).isNotEmpty().isEqualTo(all);
            assertThat(read.headPosition()).isEqualTo(store.headPosition());
        }
    }

    private List<List<RecordedEvent>> reopenedAnswers() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            return answers(store);
        }
    }

    private List<List<RecordedEvent>> answers(EmbeddedEventStore store) {
        List<List<RecordedEvent>> out = new ArrayList<>();
        for (Query query : queries) {
            out.add(store.readByQuery(query, 0, Direction.FORWARDS, 10_000).events());
            out.add(store.readByQuery(query, ReadAllOptions.END, Direction.BACKWARDS, 10_000)
                    .events());
        }
        return out;
    }

    /** Events i in [from, from + n): account i % 7, a deposit or a withdrawal, every 5th one "big". */
    private static void write(EmbeddedEventStore store, int from, int n) {
        for (int i = from; i < from + n; i++) {
            int account = i % ACCOUNTS;
            String type = i % 3 == 0 ? "Withdrawn" : "Deposited";
            EventData event = EventData.json(type, "{\"i\":" + i + "}").withTags(tags(i));
            store.append("account-" + account, ExpectedVersion.any(), List.of(event));
        }
    }

    private static List<String> tags(int i) {
        return i % 5 == 0 ? List.of("account:" + (i % ACCOUNTS), "big") : List.of("account:" + (i % ACCOUNTS));
    }

    private static long tagCount(int from, int n) {
        long count = 0;
        for (int i = from; i < from + n; i++) {
            count += tags(i).size();
        }
        return count;
    }

    private List<Path> tagIndexFiles() throws IOException {
        try (Stream<Path> list = Files.list(dataDir.resolve("tag-index"))) {
            List<Path> files = list.filter(p -> p.getFileName().toString().endsWith(".fidx"))
                    .sorted()
                    .toList();
            assertThat(files).isNotEmpty();
            return files;
        }
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.put(0, (byte) ~one.get(0)).clear();
            ch.write(one, at);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> list = Files.list(from)) {
            for (Path p : list.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }
}
