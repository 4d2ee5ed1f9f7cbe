package io.factum.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.api.AccessDeniedException;
import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.InvalidInputException;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamDeletedException;
import io.factum.api.SystemNames;
import io.factum.server.security.users.UserStore;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * KurrentDB's ACL authorization, reading stream metadata and {@code $settings} through the store.
 *
 * <p>The decision for a principal, an access and a stream:
 *
 * <ol>
 *   <li>Writing or deleting {@code $all} is refused to everyone.
 *   <li>Members of {@code $admins} may do everything else.
 *   <li>Anonymous callers may not access any stream (KurrentDB 23.10 and later, whose {@code
 *       AllowAnonymousStreamAccess} defaults to false).
 *   <li>A metastream {@code $$s} is {@code s}'s metadata: reading it is {@code $mr} on {@code s},
 *       writing it {@code $mw}; deleting it is refused.
 *   <li>The user store's streams ({@code $users}, {@code $user-*}) hold password hashes: only
 *       administrators, whatever the ACLs say (a Factum rule; KurrentDB relies on the defaults).
 *   <li>The roles allowed are the first that is set of: the stream's own {@code $acl} entry; the
 *       {@code $settings} default ({@code $systemStreamAcl} for {@code $}-streams and {@code $all},
 *       {@code $userStreamAcl} for the others); the built-in default ({@code $admins} for system
 *       streams, {@code $all} for user streams).
 *   <li>Allowed when those roles hold {@code $all}, the user's login name or one of its groups.
 * </ol>
 *
 * <p>Every check reads the stream's last metadata event and the last {@code $settings} event: two
 * point reads (a few microseconds each on the embedded engine, see docs/security.md), so a change
 * applies to the next call without any invalidation protocol, on every node. Parsed ACLs are cached
 * by the position of the event they come from. Subscriptions are checked when they start.
 * Thread-safe.
 */
public final class AclPolicy implements AccessPolicy {

    /** The stream whose last event holds the default ACLs. */
    public static final String SETTINGS_STREAM = "$settings";

    static final Acl BUILT_IN_USER = Acl.of(Acl.ALL_ROLE);
    static final Acl BUILT_IN_SYSTEM = Acl.of(Principal.ADMINS);
    private static final int MAX_CACHED = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Defaults from {@code $settings}. */
    record Settings(Acl user, Acl system) {}

    private final EventStore store;
    private final Map<Long, Acl> streamAcls = new ConcurrentHashMap<>();
    private final Map<Long, Settings> settings = new ConcurrentHashMap<>();

    public AclPolicy(EventStore store) {
        this.store = store;
    }

    @Override
    public void checkStream(Principal who, StreamAccess access, String stream) {
        if (stream.equals(SystemNames.ALL) && (access == StreamAccess.WRITE || access == StreamAccess.DELETE)) {
            throw denied(who, access, stream, "the global log cannot be written or deleted");
        }
        if (!(who instanceof Principal.User user)) {
            throw new AccessDeniedException(
                    "access denied: anonymous calls may not " + verb(access) + " '" + stream + "'; authenticate");
        }
        if (user.isAdmin()) {
            return;
        }
        StreamAccess effective = access;
        String target = stream;
        if (SystemNames.isMetastream(stream)) {
            effective = switch (access) {
                case READ, METADATA_READ -> StreamAccess.METADATA_READ;
                case WRITE, METADATA_WRITE -> StreamAccess.METADATA_WRITE;
                case DELETE -> throw denied(who, access, stream, "a metastream cannot be deleted");
            };
            target = SystemNames.originalStreamOf(stream);
        }
        if (isUserStoreStream(target)) {
            throw denied(who, access, stream, "user records are for administrators only");
        }
        List<String> roles = rolesFor(effective, target);
        if (roles.contains(Acl.ALL_ROLE) || roles.contains(user.name())) {
            return;
        }
        for (String role : roles) {
            if (user.groups().contains(role)) {
                return;
            }
        }
        throw denied(who, access, stream, roles.isEmpty() ? "no role may" : "allowed roles: " + roles);
    }

    @Override
    public void checkReadAll(Principal who) {
        checkStream(who, StreamAccess.READ, SystemNames.ALL);
    }

    @Override
    public void checkAdmin(Principal who, String operation) {
        if (!(who instanceof Principal.User user && user.isAdmin())) {
            throw new AccessDeniedException("access denied: " + operation + " is for administrators ($admins); "
                    + who.displayName() + " is not one");
        }
    }

    @Override
    public void checkOperations(Principal who, String operation) {
        if (!(who instanceof Principal.User user
                && (user.isAdmin() || user.groups().contains(Principal.OPS)))) {
            throw new AccessDeniedException("access denied: " + operation + " is for $admins and $ops; "
                    + who.displayName() + " is in neither");
        }
    }

    /** The roles allowed {@code access} on {@code stream} (not a metastream). */
    List<String> rolesFor(StreamAccess access, String stream) {
        Optional<List<String>> own = streamAcl(stream).rolesFor(access);
        if (own.isPresent()) {
            return own.get();
        }
        boolean system = SystemNames.isSystemStream(stream);
        Settings defaults = settings();
        return (system ? defaults.system() : defaults.user())
                .rolesFor(access)
                .or(() -> (system ? BUILT_IN_SYSTEM : BUILT_IN_USER).rolesFor(access))
                .orElseThrow();
    }

    static boolean isUserStoreStream(String stream) {
        return stream.equals(UserStore.USERS_STREAM) || stream.startsWith(UserStore.USER_STREAM_PREFIX);
    }

    private Acl streamAcl(String stream) {
        Optional<RecordedEvent> last = lastEvent(SystemNames.metastreamOf(stream));
        if (last.isEmpty()) {
            return Acl.none();
        }
        RecordedEvent event = last.get();
        return cached(streamAcls, event.position(), () -> {
            JsonNode acl = readJson(event).get("$acl");
            // The store validated the metadata when it was written; an unreadable ACL is therefore
            // not expected, and if it happens it grants nothing beyond the defaults' admins.
            try {
                return acl == null ? Acl.none() : Acl.parse(acl);
            } catch (IllegalArgumentException e) {
                return Acl.of(Principal.ADMINS);
            }
        });
    }

    private Settings settings() {
        Optional<RecordedEvent> last = lastEvent(SETTINGS_STREAM);
        if (last.isEmpty()) {
            return new Settings(Acl.none(), Acl.none());
        }
        RecordedEvent event = last.get();
        return cached(settings, event.position(), () -> parseSettings(readJson(event)));
    }

    /**
     * {@code $settings} is not validated when written (it is an ordinary stream to the store). A part
     * that cannot be read fails closed: administrators only, rather than the permissive built-in
     * default the writer presumably meant to tighten.
     */
    static Settings parseSettings(JsonNode root) {
        return new Settings(part(root, "$userStreamAcl"), part(root, "$systemStreamAcl"));
    }

    private static Acl part(JsonNode root, String key) {
        if (!root.isObject()) {
            return Acl.of(Principal.ADMINS);
        }
        JsonNode node = root.get(key);
        if (node == null) {
            return Acl.none();
        }
        try {
            return Acl.parse(node);
        } catch (IllegalArgumentException e) {
            return Acl.of(Principal.ADMINS);
        }
    }

    private Optional<RecordedEvent> lastEvent(String stream) {
        try {
            List<RecordedEvent> events = store.readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, 1)
                    .events();
            return events.isEmpty() ? Optional.empty() : Optional.of(events.getFirst());
        } catch (StreamDeletedException | InvalidInputException e) {
            // A tombstoned stream, or a name too long to have a metastream: no ACL of its own.
            return Optional.empty();
        }
    }

    private static JsonNode readJson(RecordedEvent event) {
        try {
            JsonNode node = JSON.readTree(event.data());
            return node == null ? JSON.nullNode() : node;
        } catch (IOException e) {
            return JSON.nullNode();
        }
    }

    private static <T> T cached(Map<Long, T> cache, long position, java.util.function.Supplier<T> load) {
        T value = cache.get(position);
        if (value == null) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            value = load.get();
            cache.put(position, value);
        }
        return value;
    }

    private static AccessDeniedException denied(Principal who, StreamAccess access, String stream, String why) {
        return new AccessDeniedException(
                "access denied: " + who.displayName() + " may not " + verb(access) + " '" + stream + "' (" + why + ")");
    }

    private static String verb(StreamAccess access) {
        return switch (access) {
            case READ -> "read";
            case WRITE -> "write to";
            case DELETE -> "delete";
            case METADATA_READ -> "read the metadata of";
            case METADATA_WRITE -> "write the metadata of";
        };
    }
}
