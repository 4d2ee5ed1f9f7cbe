package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tags, {@code read-query} and conditional appends ({@code --fail-if}) against a real embedded
 * store in a temporary data directory, one store open per invocation as with separate runs.
 */
class TagsAndQueriesTest {

    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dataDir;

    private final CliHarness cli = new CliHarness(new EmbeddedStoreOpener());

    private CliHarness.Run factum(String... args) {
        return factumWithStdin("", args);
    }

    private CliHarness.Run factumWithStdin(String stdin, String... args) {
        String[] withData = Arrays.copyOf(args, args.length + 2);
        withData[args.length] = "--data";
        withData[args.length + 1] = dataDir.toString();
        return cli.runWithStdin(stdin, withData);
    }

    private static CliHarness.Run ok(CliHarness.Run run) {
        assertThat(run.exitCode).as(run.toString()).isZero();
        return run;
    }

    /** Positions 0..3: two enrolments in course 7, one in course 8, one untagged event. */
    private void enrol() {
        ok(factum("append", "student-3", "--type", "Enrolled", "--tag", "course:7", "--tag", "student:3", "{}"));
        ok(factum("append", "student-4", "--type", "Enrolled", "--tag", "course:7", "--tag", "student:4", "{}"));
        ok(factum("append", "student-3", "--type", "Enrolled", "--tag", "course:8", "--tag", "student:3", "{}"));
        ok(factum("append", "other", "--type", "Enrolled", "{}"));
    }

    @Test
    void readQueryShowsTheMatchingEventsWithTheirTags() {
        enrol();
        cli.widthColumns = 140; // wide enough for every column at its natural width

        CliHarness.Run run = ok(factum("read-query", "type=Enrolled,tag=course:7"));

        List<String> lines = run.outLines();
        assertThat(lines.getFirst()).startsWith("POSITION  STREAM     VERSION  TYPE      TAGS");
        assertThat(lines.subList(1, lines.size()))
                .extracting(line -> line.split("\\s+")[1] + " " + line.split("\\s+")[5])
                .containsExactly("0 course:7,student:3", "1 course:7,student:4");
        assertThat(run.errLines())
                .containsExactly(
                        "factum: read consistent at position 3 (append --fail-if QUERY --after 3 to depend on it)");
    }

    @Test
    void itemsAreAlternativesAndJsonLinesCarryTheTags() throws Exception {
        enrol();

        CliHarness.Run run = ok(factum("--json", "read-query", "tag=course:8;tag=student:4"));

        assertThat(run.outLines()).hasSize(2);
        JsonNode first = Json.MAPPER.readTree(run.outLines().get(0));
        assertThat(first.get("position").asLong()).isEqualTo(1);
        assertThat(first.get("tags").toString()).isEqualTo("[\"course:7\",\"student:4\"]");
        assertThat(Json.MAPPER.readTree(run.outLines().get(1)).get("position").asLong())
                .isEqualTo(2);
    }

    @Test
    void readsWithoutTagsKeepTheirFormerShape() throws Exception {
        ok(factum("append", "plain", "--type", "T", "{}"));

        assertThat(ok(factum("read", "plain")).outLines().getFirst())
                .isEqualTo("POSITION  STREAM  VERSION  TYPE  CREATED                   DATA");
        assertThat(Json.MAPPER
                        .readTree(
                                ok(factum("--json", "read", "plain")).outLines().getFirst())
                        .has("tags"))
                .isFalse();
        ok(factum("append", "plain", "--type", "T", "--tag", "t:1", "{}"));
        assertThat(ok(factum("read", "plain")).outLines().getFirst()).contains(" TAGS ");
    }

    @Test
    void backwardsPagedAndLimited() {
        enrol();

        CliHarness.Run run = ok(factum("read-query", "type=Enrolled", "--backwards", "--limit", "3"));

        assertThat(run.outLines().subList(1, run.outLines().size()))
                .extracting(line -> line.strip().split("\\s+")[0])
                .containsExactly("3", "2", "1");
        assertThat(run.errLines()).containsExactly("factum: more events may follow; continue with --from 0");
        assertThat(ok(factum("read-query", "type=Enrolled", "--from", "2")).outLines())
                .hasSize(3);
    }

    @Test
    void aConditionalAppendSucceedsOnlyWhileTheReadStillHolds() {
        enrol();
        String query = "type=Enrolled,tag=course:7";

        CliHarness.Run stale = factum(
                "append",
                "student-5",
                "--type",
                "Enrolled",
                "--tag",
                "course:7",
                "{}",
                "--fail-if",
                query,
                "--after",
                "0");
        CliHarness.Run fresh = factum(
                "--json",
                "append",
                "student-5",
                "--type",
                "Enrolled",
                "--tag",
                "course:7",
                "{}",
                "--fail-if",
                query,
                "--after",
                "3");
        CliHarness.Run none = factum("append", "student-6", "--type", "Enrolled", "{}", "--fail-if", "tag=course:7");

        assertThat(stale.exitCode).as(stale.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(stale.errLines())
                .singleElement()
                .asString()
                .startsWith("factum: append condition failed: the event at position 1 matches");
        assertThat(fresh.exitCode).as(fresh.toString()).isZero();
        assertThat(fresh.out.toString()).contains("\"written\":true", "\"position\":4");
        assertThat(none.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(none.err.toString()).contains("the event at position 0 matches", "no matching event may exist");
        assertThat(ok(factum("read-query", query)).outLines()).hasSize(4);
    }

    @Test
    void jsonLinesOfAQueryCanBeAppendedElsewhereWithTheirTags() {
        enrol();
        String lines = ok(factum("--json", "read-query", "tag=student:3")).out.toString();

        ok(factumWithStdin(lines, "append", "copy", "--tag", "copied:yes"));

        assertThat(ok(factum("--json", "read-query", "tag=copied:yes,tag=student:3"))
                        .outLines())
                .hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("\"stream\":\"copy\"", "\"course:"));
    }

    @Test
    void badQueriesAndOptionsChangeNothing() {
        CliHarness.Run badTerm = factum("read-query", "type=X,colour=red");
        CliHarness.Run afterAlone = factum("append", "s", "--type", "T", "{}", "--after", "3");
        CliHarness.Run badTags = factumWithStdin("{\"type\":\"T\",\"data\":{},\"tags\":\"a:1\"}\n", "append", "s");
        CliHarness.Run duplicate = factum("append", "s", "--type", "T", "--tag", "a:1", "--tag", "a:1", "{}");
        CliHarness.Run badAfter = factum("append", "s", "--type", "T", "{}", "--fail-if", "type=T", "--after", "-2");
        CliHarness.Run followBackwards = factum("read-query", "type=T", "--follow", "--backwards");

        assertThat(badTerm.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(badTerm.err.toString())
                .contains(
                        "invalid query 'type=X,colour=red'", "term 'colour=red' in item 1 is not type=TYPE or tag=TAG");
        assertThat(afterAlone.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(afterAlone.err.toString()).contains("--after", "--fail-if");
        assertThat(badTags.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(badTags.err.toString()).contains("line 1", "\"tags\" must be an array of strings");
        assertThat(duplicate.exitCode).as(duplicate.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(duplicate.err.toString()).contains("events[0].tags");
        assertThat(badAfter.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(badAfter.err.toString()).contains("invalid --after -2");
        assertThat(followBackwards.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(ok(factum("read-all")).outLines()).containsExactly("(no events)");
    }

    @Test
    void followPrintsStoredThenNewMatches() throws Exception {
        enrol();
        CapturingOpener opener = new CapturingOpener();
        CliHarness followCli = new CliHarness(opener);
        CliHarness.Run run = new CliHarness.Run();

        CompletableFuture<Void> follow = CompletableFuture.runAsync(() -> run.exitCode = FactumCli.run(
                followCli.context(run, ""),
                "--json",
                "read-query",
                "tag=course:7",
                "--follow",
                "--from",
                "1",
                "--limit",
                "2",
                "--data",
                dataDir.toString()));
        assertThat(opener.opened.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        opener.store.append(
                "x",
                ExpectedVersion.any(),
                List.of(EventData.json("Enrolled", "{}").withTags("course:8")));
        opener.store.append(
                "y", ExpectedVersion.any(), List.of(EventData.json("Left", "{}").withTags("course:7")));
        follow.get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines())
                .extracting(line -> Json.MAPPER.readTree(line).get("position").asLong())
                .containsExactly(1L, 5L);
    }
}
