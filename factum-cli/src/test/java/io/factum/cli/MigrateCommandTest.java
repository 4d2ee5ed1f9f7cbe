package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.framework.migration.StreamTransform;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code factum migrate} on an embedded data directory. */
class MigrateCommandTest extends EmbeddedCliCase {

    @BeforeEach
    void seed() throws IOException {
        withStore(store -> {
            for (int i = 0; i < 5; i++) {
                store.append(
                        "account-" + (i % 2),
                        ExpectedVersion.any(),
                        List.of(EventData.json(i % 2 == 0 ? "Deposited" : "MoneyWithdrawn", "{\"n\":" + i + "}")));
            }
            store.append("other", ExpectedVersion.any(), List.of(EventData.json("Noise", "{}")));
        });
    }

    @Test
    void copiesRenamingTypesShowsProgressAndVerifies() throws IOException {
        CliHarness.Run run = factum(
                "migrate",
                "v2",
                "--from",
                "account-",
                "--to",
                "acct2-",
                "--rename-type",
                "MoneyWithdrawn=Withdrawn",
                "--page",
                "2");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines()).hasSize(2);
        // The position reached is past the migration's own writes, wherever the log ends.
        assertThat(run.outLines().get(0))
                .matches("migrated v2 from position 0 to \\d+: 5 source events, 5 events written to 2 streams"
                        + " \\(0 dropped by the transform, 0 already copied by an interrupted run\\)");
        assertThat(run.outLines().get(1))
                .isEqualTo(
                        "verified: 2 target streams hold exactly the 5 events the transform makes of 5 source events");
        assertThat(run.errLines().getLast())
                .matches("migrate v2: 100% \\(position \\d+ of 6\\), 5 source events, 5 written");
        withStore(store -> assertThat(events(store, "acct2-1"))
                .extracting(RecordedEvent::type)
                .containsExactly("Withdrawn", "Withdrawn"));

        CliHarness.Run again = factum(
                "migrate", "v2", "--from", "account-", "--to", "acct2-", "--rename-type", "MoneyWithdrawn=Withdrawn");
        assertThat(again.outLines().getFirst()).contains("0 source events, 0 events written");
    }

    @Test
    void aTransformClassDecidesTargetsAndEvents() {
        CliHarness.Run run = factum("--json", "migrate", "evens", "--transform", EvensOnly.class.getName());

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines())
                .singleElement()
                .asString()
                .contains(
                        "\"sourceEvents\":5", "\"written\":3", "\"dropped\":2", "\"ok\":true", "\"expectedEvents\":3");
    }

    @Test
    void aTamperedTargetFailsVerificationNamingTheStream() throws IOException {
        assertThat(factum("migrate", "v2", "--from", "account-", "--to", "acct2-").exitCode)
                .isZero();
        withStore(store -> store.append("acct2-0", ExpectedVersion.any(), List.of(EventData.json("Stray", "{}"))));

        CliHarness.Run run = factum("migrate", "v2", "--from", "account-", "--to", "acct2-", "--verify-only");

        assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(run.outLines())
                .containsExactly("MISMATCH in 1 target streams:", "  acct2-0: expected 3 events, holds 4");
        assertThat(run.err.toString()).contains("migration v2 does not verify", "run it again");
    }

    @Test
    void badCommandLinesSayWhatToGive() {
        assertThat(factum("migrate", "v2").err.toString())
                .contains("give --from PREFIX and --to PREFIX, or --transform CLASS");
        assertThat(factum("migrate", "v2", "--from", "a-", "--to", "a-b-").err.toString())
                .contains("starts with the source prefix");
        assertThat(factum("migrate", "v2", "--from", "a-", "--to", "b-", "--rename-type", "X")
                        .err
                        .toString())
                .contains("invalid --rename-type 'X': give OLD=NEW");
        CliHarness.Run missing = factum("migrate", "v2", "--transform", "com.example.Nope");
        assertThat(missing.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err.toString()).contains("--transform: class com.example.Nope not found; give --classpath");
        assertThat(factum("migrate", "v2", "--transform", String.class.getName())
                        .err
                        .toString())
                .contains("--transform: java.lang.String is not a io.factum.framework.migration.StreamTransform");
        assertThat(factum("migrate", "v2", "--transform", "x.Y", "--classpath", "/no/such.jar")
                        .err
                        .toString())
                .contains("--classpath entry /no/such.jar does not exist");
        assertThat(factum("migrate", "$v2", "--from", "a-", "--to", "b-").err.toString())
                .contains("invalid NAME '$v2'");
    }

    private static List<RecordedEvent> events(EventStore store, String stream) {
        return ((io.factum.api.ReadStreamResult.Found)
                        store.readStream(stream, 0, io.factum.api.Direction.FORWARDS, 100))
                .events();
    }

    /** Keeps the Deposited events of the account streams, in evens-N. */
    public static final class EvensOnly implements StreamTransform {
        @Override
        public @Nullable String targetStream(String sourceStream) {
            return sourceStream.startsWith("account-") ? "evens-" + sourceStream.substring(8) : null;
        }

        @Override
        public List<EventData> transform(RecordedEvent event) {
            return event.type().equals("Deposited") ? List.of(StreamTransform.copy(event)) : List.of();
        }
    }
}
