package io.factum.server.security.users;

import io.factum.api.ContentType;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.api.WrongExpectedVersionException;
import io.factum.server.security.PasswordHasher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Users kept in the event store (format in {@link io.factum.server.security.users}). Every read goes
 * to the store, so what the store holds is the only truth; callers that need speed cache (see {@link
 * io.factum.server.security.BasicAuthenticator}) and register a change listener to drop stale
 * entries.
 *
 * <p>Changes read the current record and append with its version as the expected version; a
 * concurrent change makes the append fail, and the change is re-applied to the newer record, at most
 * {@link #MAX_ATTEMPTS} times. Thread-safe.
 */
public final class UserStore {

    /** The stream prefix of user records. */
    public static final String USER_STREAM_PREFIX = "$user-";
    /** The index of user names. */
    public static final String USERS_STREAM = "$users";

    static final int MAX_ATTEMPTS = 5;

    private final EventStore store;
    private final PasswordHasher hasher;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public UserStore(EventStore store, PasswordHasher hasher) {
        this.store = store;
        this.hasher = hasher;
    }

    public PasswordHasher hasher() {
        return hasher;
    }

    /** Runs {@code listener} with the login name after every change this store makes. */
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    public static String streamOf(String loginName) {
        return USER_STREAM_PREFIX + loginName;
    }

    /** The user, or empty when it does not exist (never created, deleted, or unreadable). */
    public Optional<StoredUser> find(String loginName) {
        if (loginName.isEmpty()) {
            return Optional.empty();
        }
        // A record naming another login (written by hand into the stream) is not this user.
        return last(loginName)
                .flatMap(UserStore::toUser)
                .filter(u -> u.record().loginName().equals(loginName));
    }

    public StoredUser get(String loginName) {
        return find(loginName).orElseThrow(() -> new UserNotFoundException(loginName));
    }

    /** Every existing user, in the order they were first created. */
    public List<StoredUser> list() {
        Set<String> names = new LinkedHashSet<>();
        long from = 0;
        int page = store.limits().maxReadCount();
        while (true) {
            ReadStreamResult result = store.readStream(USERS_STREAM, from, Direction.FORWARDS, page);
            for (RecordedEvent e : result.events()) {
                UserCodec.decodeLogin(e.data()).ifPresent(login -> {
                    if (e.type().equals(UserCodec.INDEX_DELETED_TYPE)) {
                        names.remove(login);
                    } else {
                        names.add(login);
                    }
                });
            }
            if (!(result instanceof ReadStreamResult.Found found)
                    || found.endOfStream()
                    || result.events().isEmpty()) {
                break;
            }
            from = result.events().getLast().version() + 1;
        }
        List<StoredUser> users = new ArrayList<>();
        for (String name : names) {
            find(name).ifPresent(users::add);
        }
        return users;
    }

    /**
     * @throws UserConflictException when the user exists
     * @throws io.factum.api.InvalidInputException for a bad name, group or password
     */
    public void create(String loginName, String fullName, List<String> groups, String password) {
        UserRules.checkLogin(loginName);
        UserRules.checkFullName(fullName);
        List<String> checkedGroups = UserRules.checkGroups(groups);
        UserRules.checkPassword("password", password);
        var record = new UserRecord(loginName, fullName, checkedGroups, false, hasher.hash(password));
        Optional<RecordedEvent> last = last(loginName);
        if (last.flatMap(UserStore::toUser).isPresent()) {
            throw new UserConflictException(loginName, "user '" + loginName + "' already exists");
        }
        ExpectedVersion expected =
                last.map(e -> ExpectedVersion.exactly(e.version())).orElse(ExpectedVersion.noStream());
        try {
            store.appendMulti(List.of(
                    new StreamAppend(
                            streamOf(loginName),
                            expected,
                            List.of(event(UserCodec.USER_TYPE, UserCodec.encode(record)))),
                    new StreamAppend(
                            USERS_STREAM,
                            ExpectedVersion.any(),
                            List.of(event(UserCodec.INDEX_CREATED_TYPE, UserCodec.loginOnly(loginName))))));
        } catch (WrongExpectedVersionException e) {
            throw new UserConflictException(loginName, "user '" + loginName + "' was created concurrently");
        }
        changed(loginName);
    }

    /** Replaces full name and groups; and the password when {@code password} is not empty. */
    public void update(String loginName, String fullName, List<String> groups, String password) {
        UserRules.checkFullName(fullName);
        List<String> checkedGroups = UserRules.checkGroups(groups);
        Optional<String> hash = password.isEmpty() ? Optional.empty() : Optional.of(hasher.hash(password));
        modify(loginName, user -> {
            UserRecord updated = user.withDetails(fullName, checkedGroups);
            return hash.map(updated::withPasswordHash).orElse(updated);
        });
    }

    public void setDisabled(String loginName, boolean disabled) {
        modify(loginName, user -> user.withDisabled(disabled));
    }

    /** Sets a new password without knowing the old one (administrators). */
    public void resetPassword(String loginName, String newPassword) {
        UserRules.checkPassword("new_password", newPassword);
        String hash = hasher.hash(newPassword);
        modify(loginName, user -> user.withPasswordHash(hash));
    }

    /**
     * Sets a new password after checking the current one.
     *
     * @throws io.factum.api.AccessDeniedException when {@code currentPassword} is wrong
     */
    public void changePassword(String loginName, String currentPassword, String newPassword) {
        UserRules.checkPassword("new_password", newPassword);
        StoredUser user = get(loginName);
        if (!hasher.verify(currentPassword, user.record().passwordHash())) {
            throw new io.factum.api.AccessDeniedException("the current password of '" + loginName + "' is not correct");
        }
        String hash = hasher.hash(newPassword);
        modify(loginName, record -> record.withPasswordHash(hash));
    }

    public void delete(String loginName) {
        for (int attempt = 1; ; attempt++) {
            StoredUser user = get(loginName);
            try {
                store.appendMulti(List.of(
                        new StreamAppend(
                                streamOf(loginName),
                                ExpectedVersion.exactly(user.version()),
                                List.of(event(UserCodec.USER_DELETED_TYPE, UserCodec.loginOnly(loginName)))),
                        new StreamAppend(
                                USERS_STREAM,
                                ExpectedVersion.any(),
                                List.of(event(UserCodec.INDEX_DELETED_TYPE, UserCodec.loginOnly(loginName))))));
                changed(loginName);
                return;
            } catch (WrongExpectedVersionException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw tooBusy(loginName);
                }
            }
        }
    }

    private void modify(String loginName, UnaryOperator<UserRecord> change) {
        for (int attempt = 1; ; attempt++) {
            StoredUser user = get(loginName);
            UserRecord updated = change.apply(user.record());
            try {
                store.append(
                        streamOf(loginName),
                        ExpectedVersion.exactly(user.version()),
                        List.of(event(UserCodec.USER_TYPE, UserCodec.encode(updated))));
                changed(loginName);
                return;
            } catch (WrongExpectedVersionException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw tooBusy(loginName);
                }
            }
        }
    }

    private static UserConflictException tooBusy(String loginName) {
        return new UserConflictException(
                loginName, "user '" + loginName + "' changed concurrently " + MAX_ATTEMPTS + " times; try again");
    }

    private Optional<RecordedEvent> last(String loginName) {
        ReadStreamResult result = store.readStream(streamOf(loginName), Long.MAX_VALUE, Direction.BACKWARDS, 1);
        return result.events().isEmpty()
                ? Optional.empty()
                : Optional.of(result.events().getFirst());
    }

    private static Optional<StoredUser> toUser(RecordedEvent event) {
        if (!event.type().equals(UserCodec.USER_TYPE)) {
            return Optional.empty();
        }
        return UserCodec.decode(event.data()).map(r -> new StoredUser(r, event.version(), event.created()));
    }

    private static EventData event(String type, byte[] json) {
        return new EventData(UUID.randomUUID(), type, json, new byte[0], ContentType.JSON);
    }

    private void changed(String loginName) {
        listeners.forEach(listener -> listener.accept(loginName));
    }
}
