package io.factum.examples.bank;

import io.factum.api.EventStore;
import io.factum.client.RemoteEventStore;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.framework.CommandResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code ./factum demo bank}: opens accounts, runs transfers between them from concurrent
 * clients, waits until every accepted transfer has finished, and checks that money was
 * conserved, no balance went negative, the daily limit held, and every transfer completed, was
 * refunded or failed cleanly. Exits 1 when a check fails.
 */
public final class BankDemo {
    /** The settings, from the command line. */
    public record Settings(
            int accounts,
            int transfers,
            int concurrency,
            @Nullable String url,
            @Nullable Path data,
            long dailyLimit,
            boolean postgres,
            long seed,
            Duration timeout,
            int httpPort) {
        public static Settings defaults() {
            return new Settings(1000, 100_000, 32, null, null, 10_000, true, 42, Duration.ofMinutes(15), -1);
        }
    }

    static final long OPENING_DEPOSIT = 10_000;

    private final Settings settings;
    private final PrintStream out;

    BankDemo(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        Settings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("factum demo bank: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        try {
            System.exit(new BankDemo(settings, System.out).run());
        } catch (Exception e) {
            System.err.println("factum demo bank: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    static final String USAGE = """
            usage: ./factum demo bank [--accounts N] [--transfers N] [--concurrency N] [--daily-limit N]
                                      [--url URL | --data DIR] [--no-postgres] [--seed N]
              --accounts N      accounts to open, two per customer (default 1000)
              --transfers N     transfers to request (default 100000)
              --concurrency N   clients requesting transfers at once (default 32)
              --daily-limit N   most a customer may transfer a day (default 10000)
              --url URL         run against a server (default: an embedded store in a temporary directory)
              --data DIR        run on this data directory instead of a temporary one
              --no-postgres     no PostgreSQL read model (default: one at 127.0.0.1:5432, database test)
              --http PORT       serve the bank's HTTP API on this port (0: any) until Ctrl-C, instead of the run""";

    static Settings parse(String[] args) {
        Settings s = Settings.defaults();
        Map<String, String> values = new HashMap<>();
        boolean noPostgres = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-postgres")) {
                noPostgres = true;
            } else if (a.startsWith("--") && i + 1 < args.length) {
                values.put(a, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        for (String key : values.keySet()) {
            if (!List.of(
                            "--accounts",
                            "--transfers",
                            "--concurrency",
                            "--daily-limit",
                            "--url",
                            "--data",
                            "--seed",
                            "--http")
                    .contains(key)) {
                throw new IllegalArgumentException("unknown option " + key);
            }
        }
        int accounts = positive(values, "--accounts", s.accounts());
        if (accounts < 2) {
            throw new IllegalArgumentException("--accounts must be at least 2");
        }
        return new Settings(
                accounts,
                positive(values, "--transfers", s.transfers()),
                positive(values, "--concurrency", s.concurrency()),
                values.get("--url"),
                values.containsKey("--data") ? Path.of(values.get("--data")) : null,
                positive(values, "--daily-limit", (int) s.dailyLimit()),
                !noPostgres,
                values.containsKey("--seed") ? Long.parseLong(values.get("--seed")) : s.seed(),
                s.timeout(),
                values.containsKey("--http") ? Integer.parseInt(values.get("--http")) : -1);
    }

    private static int positive(Map<String, String> values, String key, int fallback) {
        String text = values.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.replace("_", "").replace(",", ""));
            if (value < 1) {
                throw new IllegalArgumentException(key + " must be >= 1, was " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " takes a number, not '" + text + "'");
        }
    }

    /** Runs the demo; the exit code: 0 when every check passed. */
    public int run() throws Exception {
        Path temporary =
                settings.url() == null && settings.data() == null ? Files.createTempDirectory("factum-bank") : null;
        DataSource postgres = settings.postgres() ? postgres() : null;
        String table = "bank_balances_" + UUID.randomUUID().toString().substring(0, 8);
        try (EventStore store = open(temporary)) {
            Bank.Options options = Bank.Options.defaults().withDailyLimit(settings.dailyLimit());
            if (postgres != null) {
                options = options.withPostgres(postgres, table);
            }
            try (Bank bank = new Bank(store, options).start()) {
                if (settings.httpPort() >= 0) {
                    return serve(bank);
                }
                try {
                    return new Run(bank).all();
                } finally {
                    if (bank.postgresBalances() != null) {
                        bank.close();
                        bank.postgresBalances().drop();
                    }
                }
            }
        } finally {
            if (temporary != null) {
                deleteTree(temporary);
            }
        }
    }

    private int serve(Bank bank) throws Exception {
        try (BankHttp http = new BankHttp(bank, new java.net.InetSocketAddress("127.0.0.1", settings.httpPort()))) {
            String base = "http://127.0.0.1:" + http.port();
            out.println("the bank's HTTP API is at " + base + " (Ctrl-C stops it); try:");
            out.println("  curl -X POST " + base + "/accounts -d '{\"accountId\":\"a1\",\"customerId\":\"c1\"}'");
            out.println("  curl -X POST " + base + "/accounts/a1/deposits -d '{\"amount\":100}'");
            out.println("  curl -X POST " + base + "/accounts -d '{\"accountId\":\"a2\",\"customerId\":\"c2\"}'");
            out.println("  curl -X POST " + base + "/transfers -d '{\"from\":\"a1\",\"to\":\"a2\",\"amount\":30}'");
            out.println("  curl -N " + base + "/transfers/<transferId>/events");
            Thread.currentThread().join(); // until the JVM is stopped
            return 0;
        }
    }

    private EventStore open(@Nullable Path temporary) throws IOException {
        if (settings.url() != null) {
            out.println("store: the server at " + settings.url());
            return RemoteEventStore.connect(settings.url());
        }
        Path dir = settings.data() != null ? settings.data() : temporary;
        out.println("store: embedded, in " + dir);
        return EmbeddedEventStore.open(EngineOptions.defaults(dir));
    }

    private @Nullable DataSource postgres() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {System.getenv().getOrDefault("FACTUM_PG_HOST", "127.0.0.1")});
        ds.setPortNumbers(new int[] {Integer.parseInt(System.getenv().getOrDefault("FACTUM_PG_PORT", "5432"))});
        ds.setDatabaseName("test");
        ds.setUser("postgres");
        ds.setConnectTimeout(3);
        try (Connection c = ds.getConnection()) {
            out.println("read models: in memory, and in PostgreSQL at " + ds.getUrl());
            return ds;
        } catch (SQLException e) {
            out.println("read models: in memory only (no PostgreSQL at " + ds.getUrl() + ": " + e.getMessage()
                    + "; --no-postgres silences this)");
            return null;
        }
    }

    /** One run's state and steps. */
    private final class Run {
        private final Bank bank;
        private final String day = LocalDate.now(ZoneOffset.UTC).toString();
        private final AtomicInteger requested = new AtomicInteger();
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicInteger overLimit = new AtomicInteger();
        private final AtomicLong acceptedAmount = new AtomicLong();

        Run(Bank bank) {
            this.bank = bank;
        }

        int all() throws Exception {
            long started = System.nanoTime();
            openAccounts();
            long transfersStarted = System.nanoTime();
            requestTransfers();
            double requestSeconds = (System.nanoTime() - transfersStarted) / 1e9;
            out.printf(
                    "requested %,d transfers in %.1f s: %,.0f requests/s (%,d accepted, %,d over the daily limit)%n",
                    requested.get(), requestSeconds, requested.get() / requestSeconds, accepted.get(), overLimit.get());
            boolean finished = awaitFinished();
            double seconds = (System.nanoTime() - transfersStarted) / 1e9;
            out.printf(
                    "finished %,d transfers in %.1f s from the first request: %,.0f transfers/s end to end%n",
                    bank.transfers().finishedCount(), seconds, bank.transfers().finishedCount() / seconds);
            int failures = check(finished);
            out.printf(
                    "total %.1f s; %s%n",
                    (System.nanoTime() - started) / 1e9,
                    failures == 0 ? "every check passed" : failures + " check(s) FAILED");
            return failures == 0 ? 0 : 1;
        }

        private String account(int i) {
            return "a" + i;
        }

        private String customerOf(int account) {
            return "c" + account / 2;
        }

        private void openAccounts() throws Exception {
            out.printf(
                    "opening %,d accounts for %,d customers, %,d each...%n",
                    settings.accounts(), (settings.accounts() + 1) / 2, OPENING_DEPOSIT);
            parallel(settings.accounts(), i -> {
                expectApplied(bank.openAccount(account(i), customerOf(i)), "open " + account(i));
                expectApplied(bank.deposit(account(i), OPENING_DEPOSIT), "deposit into " + account(i));
            });
        }

        private void requestTransfers() throws Exception {
            out.printf("requesting %,d transfers from %d clients...%n", settings.transfers(), settings.concurrency());
            AtomicInteger next = new AtomicInteger();
            Progress progress = new Progress(() -> String.format(
                    "  requested %,d of %,d, finished %,d",
                    requested.get(), settings.transfers(), bank.transfers().finishedCount()));
            try (progress) {
                List<Future<?>> clients = new ArrayList<>();
                try (ExecutorService pool = Executors.newFixedThreadPool(settings.concurrency())) {
                    for (int c = 0; c < settings.concurrency(); c++) {
                        SplittableRandom random = new SplittableRandom(settings.seed() + c);
                        clients.add(pool.submit(() -> {
                            for (int i = next.getAndIncrement(); i < settings.transfers(); i = next.getAndIncrement()) {
                                transfer(random);
                            }
                            return null;
                        }));
                    }
                    for (Future<?> client : clients) {
                        client.get();
                    }
                }
            }
        }

        /** One transfer: mostly between existing accounts, one in a hundred to a missing one (refunded). */
        private void transfer(SplittableRandom random) {
            int from = random.nextInt(settings.accounts());
            int to = random.nextInt(settings.accounts() - 1);
            to = to >= from ? to + 1 : to;
            String target = random.nextInt(100) == 0 ? "missing-" + to : account(to);
            long amount = 1 + random.nextInt(100);
            CommandResult<?> result =
                    bank.requestTransfer(Bank.newTransferId(), customerOf(from), account(from), target, amount, day);
            requested.incrementAndGet();
            switch (result) {
                case CommandResult.Applied<?> a -> {
                    accepted.incrementAndGet();
                    acceptedAmount.addAndGet(amount);
                }
                case CommandResult.Rejected<?> r
                when r.error() instanceof DailyLimit.LimitExceeded -> overLimit.incrementAndGet();
                default -> throw new IllegalStateException("unexpected answer to a transfer request: " + result);
            }
        }

        private boolean awaitFinished() throws Exception {
            out.println("waiting for every accepted transfer to finish...");
            long deadline = System.nanoTime() + settings.timeout().toNanos();
            try (Progress progress = new Progress(() ->
                    String.format("  finished %,d of %,d", bank.transfers().finishedCount(), accepted.get()))) {
                while (bank.transfers().finishedCount() < accepted.get()) {
                    if (System.nanoTime() > deadline) {
                        return false;
                    }
                    Thread.sleep(20);
                }
            }
            return bank.awaitViews(bank.store().headPosition(), Duration.ofMinutes(1));
        }

        private int check(boolean finished) throws Exception {
            Checks checks = new Checks(out);
            long deposited = OPENING_DEPOSIT * settings.accounts();
            checks.that(
                    finished,
                    "every accepted transfer finished within " + settings.timeout(),
                    bank.transfers().finishedCount() + " of " + accepted.get() + " finished");
            checks.that(
                    bank.balances().total() == deposited,
                    "money is conserved in the in-memory read model",
                    "sum of balances " + bank.balances().total() + ", deposits minus withdrawals " + deposited);
            long decided = 0;
            for (int i = 0; i < settings.accounts(); i++) {
                decided += bank.accounts().load("account-" + account(i)).state().balance();
            }
            checks.that(
                    decided == deposited,
                    "money is conserved in the accounts themselves",
                    "sum of the accounts' states " + decided + ", expected " + deposited);
            if (bank.postgresBalances() != null) {
                long pg = bank.postgresBalances().total();
                checks.that(
                        pg == deposited,
                        "money is conserved in the PostgreSQL read model",
                        "sum of balances " + pg + ", expected " + deposited);
            }
            checks.that(
                    bank.statements().lowestBalance() >= 0,
                    "no balance ever went negative",
                    "lowest balance in any statement: " + bank.statements().lowestBalance());
            Map<String, Long> perCustomerDay = new HashMap<>();
            Map<String, Long> outcomes = new HashMap<>();
            for (TransferView.Transfer t : bank.transfers().all()) {
                perCustomerDay.merge(t.customerId() + " " + t.day(), t.amount(), Long::sum);
                outcomes.merge(t.outcome(), 1L, Long::sum);
            }
            long highest = perCustomerDay.values().stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElse(0);
            checks.that(
                    highest <= settings.dailyLimit(),
                    "the daily limit held for every customer",
                    "highest total of a customer's day: " + highest + " (limit " + settings.dailyLimit() + ")");
            checks.that(
                    outcomes.getOrDefault("pending", 0L) == 0
                            && bank.transfers().all().size() == accepted.get(),
                    "every transfer completed, was refunded, or failed without moving money",
                    "outcomes " + outcomes);
            out.printf("outcomes: %s; %,d over the daily limit were refused up front%n", outcomes, overLimit.get());
            return checks.failures();
        }

        private void parallel(int count, java.util.function.IntConsumer work) throws Exception {
            try (ExecutorService pool = Executors.newFixedThreadPool(settings.concurrency())) {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int index = i;
                    futures.add(pool.submit(() -> work.accept(index)));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
        }
    }

    private static void expectApplied(CommandResult<?> result, String what) {
        if (!(result instanceof CommandResult.Applied<?>)) {
            throw new IllegalStateException(what + ": " + result);
        }
    }

    /** Prints a line every second while open, and the last one when closed. */
    private final class Progress implements AutoCloseable {
        private final Thread thread;
        private final java.util.function.Supplier<String> line;

        Progress(java.util.function.Supplier<String> line) {
            this.line = line;
            this.thread = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        Thread.sleep(1000);
                        out.println(line.get());
                    }
                } catch (InterruptedException e) {
                    // closed
                }
            });
        }

        @Override
        public void close() {
            thread.interrupt();
            out.println(line.get());
        }
    }

    /** Checks that print OK or FAILED with what was found. */
    private static final class Checks {
        private final PrintStream out;
        private int failures;

        Checks(PrintStream out) {
            this.out = out;
        }

        void that(boolean ok, String what, String found) {
            out.printf("%s  %s (%s)%n", ok ? "OK    " : "FAILED", what, found);
            if (!ok) {
                failures++;
            }
        }

        int failures() {
            return failures;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
