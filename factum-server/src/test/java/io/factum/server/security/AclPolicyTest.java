package io.factum.server.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AccessDeniedException;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StreamAcl;
import io.factum.api.StreamMetadata;
import io.factum.testkit.memory.InMemoryEventStore;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AclPolicyTest {

    static final Principal ADMIN = new Principal.User("root", Set.of(Principal.ADMINS));
    static final Principal OPS = new Principal.User("operator", Set.of(Principal.OPS));
    static final Principal ALICE = new Principal.User("alice", Set.of("sales"));
    static final Principal BOB = new Principal.User("bob", Set.of());
    static final Principal ANONYMOUS = Principal.anonymous();

    private InMemoryEventStore store;
    private AclPolicy policy;

    @BeforeEach
    void setUp() {
        store = new InMemoryEventStore();
        policy = new AclPolicy(store);
        // orders: alice by name may read, the sales group may write, nobody but admins may delete
        // ("$d": [] is an explicit empty list), metadata falls back to the defaults.
        store.append(
                "$$orders",
                ExpectedVersion.any(),
                List.of(EventData.json("$metadata", "{\"$acl\":{\"$r\":\"alice\",\"$w\":[\"sales\"],\"$d\":[]}}")));
        // public: everyone authenticated may read through "$all".
        store.setStreamMetadata(
                "public",
                ExpectedVersion.any(),
                StreamMetadata.empty()
                        .withAcl(new StreamAcl(List.of("$all"), List.of(), List.of(), List.of(), List.of())));
        // A system stream opened to bob by its own ACL.
        store.append(
                "$$$bob-system",
                ExpectedVersion.any(),
                List.of(EventData.json("$metadata", "{\"$acl\":{\"$r\":[\"bob\"]}}")));
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                // who, access, stream, allowed
                Arguments.of(ALICE, StreamAccess.READ, "orders", true), // by login name
                Arguments.of(BOB, StreamAccess.READ, "orders", false),
                Arguments.of(ALICE, StreamAccess.WRITE, "orders", true), // by group
                Arguments.of(BOB, StreamAccess.WRITE, "orders", false),
                Arguments.of(ALICE, StreamAccess.DELETE, "orders", false), // explicit []
                Arguments.of(ADMIN, StreamAccess.DELETE, "orders", true), // admins always
                Arguments.of(BOB, StreamAccess.METADATA_READ, "orders", true), // not set: default $all
                Arguments.of(BOB, StreamAccess.READ, "$$orders", true), // metastream read is $mr
                Arguments.of(BOB, StreamAccess.WRITE, "$$orders", true), // metastream write is $mw
                Arguments.of(BOB, StreamAccess.DELETE, "$$orders", false),
                Arguments.of(BOB, StreamAccess.READ, "public", true),
                Arguments.of(BOB, StreamAccess.WRITE, "no-acl", true), // user streams default to $all
                Arguments.of(ANONYMOUS, StreamAccess.READ, "public", false), // anonymous: never
                Arguments.of(ANONYMOUS, StreamAccess.READ, "no-acl", false),
                Arguments.of(BOB, StreamAccess.READ, "$system", false), // system default: $admins
                Arguments.of(OPS, StreamAccess.READ, "$system", false), // $ops get no stream rights
                Arguments.of(ADMIN, StreamAccess.WRITE, "$system", true),
                Arguments.of(BOB, StreamAccess.READ, "$bob-system", true), // own ACL beats the default
                Arguments.of(ALICE, StreamAccess.READ, "$bob-system", false),
                Arguments.of(BOB, StreamAccess.READ, "$all", false),
                Arguments.of(ADMIN, StreamAccess.READ, "$all", true),
                Arguments.of(ADMIN, StreamAccess.WRITE, "$all", false), // nobody writes the global log
                Arguments.of(ADMIN, StreamAccess.DELETE, "$all", false),
                Arguments.of(BOB, StreamAccess.READ, "$user-alice", false), // password hashes
                Arguments.of(BOB, StreamAccess.READ, "$users", false),
                Arguments.of(ADMIN, StreamAccess.READ, "$user-alice", true));
    }

    @ParameterizedTest(name = "{0} {1} {2}: {3}")
    @MethodSource("decisions")
    void decides(Principal who, StreamAccess access, String stream, boolean allowed) {
        if (allowed) {
            assertThatCode(() -> policy.checkStream(who, access, stream)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> policy.checkStream(who, access, stream))
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining(stream);
        }
    }

    @Test
    void settingsReplaceTheBuiltInDefaultsAndAStreamAclStillWins() {
        store.append(
                AclPolicy.SETTINGS_STREAM,
                ExpectedVersion.any(),
                List.of(EventData.json(
                        "settings",
                        "{\"$userStreamAcl\":{\"$r\":\"$all\",\"$w\":\"writers\"},"
                                + "\"$systemStreamAcl\":{\"$r\":[\"$admins\",\"bob\"]}}")));
        assertThatCode(() -> policy.checkStream(BOB, StreamAccess.READ, "no-acl"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> policy.checkStream(BOB, StreamAccess.WRITE, "no-acl"))
                .isInstanceOf(AccessDeniedException.class);
        assertThatCode(() -> policy.checkStream(new Principal.User("w", Set.of("writers")), StreamAccess.WRITE, "x"))
                .doesNotThrowAnyException();
        // $d is not in the settings: the built-in default ($all) applies.
        assertThatCode(() -> policy.checkStream(BOB, StreamAccess.DELETE, "no-acl"))
                .doesNotThrowAnyException();
        assertThatCode(() -> policy.checkStream(BOB, StreamAccess.READ, "$system"))
                .doesNotThrowAnyException();
        assertThatCode(() -> policy.checkReadAll(BOB)).doesNotThrowAnyException();
        // orders' own $w (sales) still decides.
        assertThatCode(() -> policy.checkStream(ALICE, StreamAccess.WRITE, "orders"))
                .doesNotThrowAnyException();
    }

    @Test
    void aChangedAclAppliesToTheNextCheck() {
        assertThatCode(() -> policy.checkStream(BOB, StreamAccess.READ, "public"))
                .doesNotThrowAnyException();
        store.setStreamMetadata(
                "public",
                ExpectedVersion.any(),
                StreamMetadata.empty()
                        .withAcl(new StreamAcl(List.of("alice"), List.of(), List.of(), List.of(), List.of())));
        assertThatThrownBy(() -> policy.checkStream(BOB, StreamAccess.READ, "public"))
                .isInstanceOf(AccessDeniedException.class);
    }

    @Test
    void unreadableSettingsFailClosed() {
        store.append(
                AclPolicy.SETTINGS_STREAM,
                ExpectedVersion.any(),
                List.of(EventData.json("settings", "{\"$userStreamAcl\":{\"$r\":42}}")));
        assertThatThrownBy(() -> policy.checkStream(BOB, StreamAccess.READ, "no-acl"))
                .isInstanceOf(AccessDeniedException.class);
        assertThatCode(() -> policy.checkStream(ADMIN, StreamAccess.READ, "no-acl"))
                .doesNotThrowAnyException();
    }

    @Test
    void administrationIsForAdminsAndOperationsAlsoForOps() {
        assertThatCode(() -> policy.checkAdmin(ADMIN, "x")).doesNotThrowAnyException();
        assertThatThrownBy(() -> policy.checkAdmin(OPS, "managing users"))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("managing users");
        assertThatThrownBy(() -> policy.checkAdmin(ANONYMOUS, "x")).isInstanceOf(AccessDeniedException.class);
        assertThatCode(() -> policy.checkOperations(OPS, "x")).doesNotThrowAnyException();
        assertThatCode(() -> policy.checkOperations(ADMIN, "x")).doesNotThrowAnyException();
        assertThatThrownBy(() -> policy.checkOperations(BOB, "scavenge"))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("scavenge");
    }
}
