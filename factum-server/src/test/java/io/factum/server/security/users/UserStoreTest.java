package io.factum.server.security.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AccessDeniedException;
import io.factum.api.Direction;
import io.factum.api.InvalidInputException;
import io.factum.api.RecordedEvent;
import io.factum.server.security.PasswordHasher;
import io.factum.testkit.memory.InMemoryEventStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UserStoreTest {

    private final InMemoryEventStore store = new InMemoryEventStore();
    private final PasswordHasher hasher = new PasswordHasher(PasswordHasher.MIN_ITERATIONS);
    private final UserStore users = new UserStore(store, hasher);

    @Test
    void aCreatedUserIsStoredWithAHashNeverThePassword() {
        users.create("alice", "Alice A", List.of("sales", "sales", "ops"), "pa55word");
        StoredUser alice = users.get("alice");
        assertThat(alice.record().fullName()).isEqualTo("Alice A");
        assertThat(alice.record().groups()).containsExactly("sales", "ops");
        assertThat(alice.record().disabled()).isFalse();
        assertThat(hasher.verify("pa55word", alice.record().passwordHash())).isTrue();
        List<RecordedEvent> events =
                store.readStream("$user-alice", 0, Direction.FORWARDS, 10).events();
        assertThat(events).hasSize(1);
        assertThat(events.getFirst().type()).isEqualTo("$user");
        assertThat(events.getFirst().dataAsString()).doesNotContain("pa55word").contains("pbkdf2-sha256$");
        assertThat(store.readStream("$users", 0, Direction.FORWARDS, 10).events())
                .extracting(RecordedEvent::type)
                .containsExactly("$UserCreated");
    }

    @Test
    void creatingAnExistingUserIsAConflict() {
        users.create("alice", "", List.of(), "pw");
        assertThatThrownBy(() -> users.create("alice", "", List.of(), "other"))
                .isInstanceOfSatisfying(UserConflictException.class, e -> assertThat(e.loginName())
                        .isEqualTo("alice"));
        assertThat(hasher.verify("pw", users.get("alice").record().passwordHash()))
                .isTrue();
    }

    @Test
    void updateDisableResetAndChangePassword() {
        users.create("bob", "Bob", List.of(), "one");
        users.update("bob", "Robert", List.of("$admins"), "");
        assertThat(users.get("bob").record().groups()).containsExactly("$admins");
        assertThat(hasher.verify("one", users.get("bob").record().passwordHash()))
                .isTrue();

        users.setDisabled("bob", true);
        assertThat(users.get("bob").record().disabled()).isTrue();
        users.setDisabled("bob", false);

        users.resetPassword("bob", "two");
        assertThat(hasher.verify("two", users.get("bob").record().passwordHash()))
                .isTrue();

        assertThatThrownBy(() -> users.changePassword("bob", "wrong", "three"))
                .isInstanceOf(AccessDeniedException.class);
        users.changePassword("bob", "two", "three");
        assertThat(hasher.verify("three", users.get("bob").record().passwordHash()))
                .isTrue();
        assertThat(users.get("bob").record().fullName()).isEqualTo("Robert");
    }

    @Test
    void deletedUsersAreGoneFromFindAndListAndMayBeCreatedAgain() {
        users.create("carol", "", List.of(), "pw");
        users.create("dave", "", List.of(), "pw");
        users.delete("carol");
        assertThat(users.find("carol")).isEmpty();
        assertThat(users.list()).extracting(u -> u.record().loginName()).containsExactly("dave");
        assertThatThrownBy(() -> users.delete("carol")).isInstanceOf(UserNotFoundException.class);
        assertThatThrownBy(() -> users.setDisabled("carol", true)).isInstanceOf(UserNotFoundException.class);

        users.create("carol", "Again", List.of(), "new");
        assertThat(users.get("carol").record().fullName()).isEqualTo("Again");
        assertThat(users.list()).extracting(u -> u.record().loginName()).containsExactly("dave", "carol");
    }

    @Test
    void everyChangeIsAnnounced() {
        List<String> changed = new ArrayList<>();
        users.onChange(changed::add);
        users.create("erin", "", List.of(), "pw");
        users.setDisabled("erin", true);
        users.resetPassword("erin", "x");
        users.delete("erin");
        assertThat(changed).containsExactly("erin", "erin", "erin", "erin");
    }

    @Test
    void badNamesGroupsAndPasswordsAreRefusedAndNothingIsWritten() {
        assertThatThrownBy(() -> users.create("", "", List.of(), "pw")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> users.create("$admins", "", List.of(), "pw"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'$'");
        assertThatThrownBy(() -> users.create("a:b", "", List.of(), "pw"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("':'");
        assertThatThrownBy(() -> users.create(" x", "", List.of(), "pw")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> users.create("x\ny", "", List.of(), "pw")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> users.create("x", "", List.of(""), "pw"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("groups");
        assertThatThrownBy(() -> users.create("x", "", List.of(), ""))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("password");
        assertThat(users.list()).isEmpty();
        assertThat(store.headPosition()).isEqualTo(-1);
    }

    @Test
    void aRecordNamingAnotherLoginIsNotThisUser() {
        users.create("frank", "", List.of("$admins"), "pw");
        StoredUser frank = users.get("frank");
        store.append(
                "$user-mallory",
                io.factum.api.ExpectedVersion.any(),
                List.of(new io.factum.api.EventData(
                        java.util.UUID.randomUUID(),
                        "$user",
                        UserCodec.encode(frank.record()),
                        new byte[0],
                        io.factum.api.ContentType.JSON)));
        assertThat(users.find("mallory")).isEqualTo(Optional.empty());
    }

    @Test
    void adminBootstrapCreatesRestoresOrRefuses() {
        assertThatThrownBy(() -> AdminBootstrap.ensure(users, Optional.empty()))
                .isInstanceOf(AdminBootstrap.NoAdministratorException.class)
                .hasMessageContaining("FACTUM_ADMIN_PASSWORD")
                .hasMessageContaining("--admin-password-file");
        assertThat(AdminBootstrap.ensure(users, Optional.of("first"))).isEqualTo(AdminBootstrap.Outcome.CREATED);
        assertThat(AdminBootstrap.ensure(users, Optional.of("ignored"))).isEqualTo(AdminBootstrap.Outcome.EXISTING);
        assertThat(hasher.verify("first", users.get("admin").record().passwordHash()))
                .isTrue();

        users.setDisabled("admin", true);
        assertThatThrownBy(() -> AdminBootstrap.ensure(users, Optional.empty()))
                .isInstanceOf(AdminBootstrap.NoAdministratorException.class);
        assertThat(AdminBootstrap.ensure(users, Optional.of("second"))).isEqualTo(AdminBootstrap.Outcome.RESTORED);
        StoredUser admin = users.get("admin");
        assertThat(admin.record().disabled()).isFalse();
        assertThat(admin.record().groups()).contains("$admins");
        assertThat(hasher.verify("second", admin.record().passwordHash())).isTrue();
    }
}
