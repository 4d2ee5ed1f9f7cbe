package io.factum.cli;

import io.factum.api.EventStore;
import io.factum.client.ClientOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/**
 * What every verb shares: the parent's options and context, and opening the store. A verb that only
 * reads refuses a data directory that does not exist rather than creating an empty store as a side
 * effect of a typo.
 */
abstract class Verb implements Callable<Integer> {

    static final String FACTUM_URL = "FACTUM_URL";
    static final String FACTUM_PASSWORD = "FACTUM_PASSWORD";

    @ParentCommand
    @SuppressWarnings("NullAway.Init")
    RootCommand root;

    final CliIo io() {
        return root.context().io();
    }

    final StoreOpener opener() {
        return root.context().opener();
    }

    final Path dataDir() {
        return root.data.orElse(RootCommand.DEFAULT_DATA_DIR);
    }

    /** The server to work against: --url, else FACTUM_URL unless --data was given. */
    final Optional<ClientOptions> server() {
        Optional<String> url = root.url;
        if (url.isPresent() && root.data.isPresent()) {
            throw CliException.usage("give either --data (a data directory) or --url (a server), not both");
        }
        if (url.isEmpty() && root.data.isEmpty()) {
            url = root.context().env(FACTUM_URL);
        }
        if (url.isEmpty()) {
            if (root.user.isPresent() || root.passwordFile.isPresent()) {
                throw CliException.usage(
                        "--user and --password-file are for a server: give --url or set " + FACTUM_URL);
            }
            return Optional.empty();
        }
        ClientOptions options;
        try {
            options = ClientOptions.parse(url.get());
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        return Optional.of(withCredentials(options));
    }

    private ClientOptions withCredentials(ClientOptions options) {
        if (root.user.isEmpty()) {
            if (root.passwordFile.isPresent()) {
                throw CliException.usage("--password-file needs --user");
            }
            return options;
        }
        String password = root.passwordFile
                .map(Verb::readPassword)
                .or(() -> root.context().env(FACTUM_PASSWORD))
                .orElseThrow(() -> CliException.usage(
                        "--user needs a password: set " + FACTUM_PASSWORD + " or give --password-file FILE"));
        try {
            return options.withCredentials(root.user.get(), password);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("invalid --user: " + e.getMessage());
        }
    }

    private static String readPassword(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.getFirst().isEmpty()) {
                throw CliException.usage("the password file " + file + " is empty");
            }
            return lines.getFirst();
        } catch (IOException e) {
            throw CliException.usage("cannot read the password file " + file + ": " + e.getMessage());
        }
    }

    /** For verbs that check storage files: they need the data directory itself. */
    final void requireDataDirectory(String verb, String why) {
        if (server().isPresent()) {
            throw CliException.usage("'" + verb + "' needs a data directory (" + why + "); it cannot work through"
                    + " a server URL: run it where the data is, with --data DIR (stop the server first)");
        }
    }

    final boolean json() {
        return root.json;
    }

    /** Opens the store for a verb that writes; creates the directory when it is missing. */
    final EventStore openOrCreate() throws IOException {
        Optional<ClientOptions> server = server();
        if (server.isPresent()) {
            return opener().connect(server.get());
        }
        return opener().open(dataDir());
    }

    /** Opens the store for a verb that reads; the directory must exist. */
    final EventStore openExisting() throws IOException {
        Optional<ClientOptions> server = server();
        if (server.isPresent()) {
            return opener().connect(server.get());
        }
        requireExistingDataDir();
        return opener().open(dataDir());
    }

    final void requireExistingDataDir() {
        if (!Files.isDirectory(dataDir())) {
            throw CliException.failed("data directory " + dataDir()
                    + " does not exist (append an event to create it, or choose another with --data DIR)");
        }
    }

    /** Checks a {@code --limit} value. */
    static long positiveLimit(long limit) {
        if (limit < 1) {
            throw CliException.usage("invalid --limit " + limit + ": must be >= 1");
        }
        return limit;
    }
}
