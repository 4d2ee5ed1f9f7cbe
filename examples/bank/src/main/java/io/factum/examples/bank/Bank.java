package io.factum.examples.bank;

import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.examples.bank.AccountCommand.Deposit;
import io.factum.examples.bank.AccountCommand.OpenAccount;
import io.factum.examples.bank.AccountCommand.Withdraw;
import io.factum.examples.bank.TransferCommand.FinishTransfer;
import io.factum.examples.bank.TransferCommand.RequestTransfer;
import io.factum.framework.CommandEnvelope;
import io.factum.framework.CommandResult;
import io.factum.framework.JsonSnapshotCodec;
import io.factum.framework.QueryCommandHandler;
import io.factum.framework.SnapshotPolicy;
import io.factum.framework.StreamCommandHandler;
import io.factum.framework.process.ProcessManagerRunner;
import io.factum.framework.projection.JdbcProjectionSink;
import io.factum.framework.projection.MemoryProjectionSink;
import io.factum.framework.projection.ProjectionRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The bank as a service: its command handlers, the transfer process, and its read models, on any
 * event store. Thread-safe.
 */
public final class Bank implements AutoCloseable {
    /** Transfer ids start with it, and so do the correlation ids of the money they move. */
    public static final String TRANSFER_PREFIX = "t-";

    /**
     * @param dailyLimit most a customer may transfer a day
     * @param postgres where the PostgreSQL balance read model goes (null: none)
     * @param balancesTable its table
     */
    public record Options(long dailyLimit, @Nullable DataSource postgres, String balancesTable, int partitions) {
        public static Options defaults() {
            return new Options(10_000, null, "bank_balances", 16);
        }

        public Options withPostgres(DataSource source, String table) {
            return new Options(dailyLimit, source, table, partitions);
        }

        public Options withDailyLimit(long limit) {
            return new Options(limit, postgres, balancesTable, partitions);
        }
    }

    private final EventStore store;
    private final Options options;
    private final StreamCommandHandler<AccountCommand, Accounts.State, BankEvent> accounts;
    private final QueryCommandHandler<RequestTransfer, Long, BankEvent> limits;
    private final StreamCommandHandler<FinishTransfer, Boolean, BankEvent> ledger;
    private final BalanceView balances = new BalanceView();
    private final StatementView statements = new StatementView();
    private final TransferView transfers = new TransferView();
    private final List<AutoCloseable> running = new ArrayList<>();
    private @Nullable PostgresBalances postgresBalances;
    private @Nullable ProjectionRunner<BankEvent> views;

    public Bank(EventStore store, Options options) {
        this.store = Objects.requireNonNull(store, "store");
        this.options = Objects.requireNonNull(options, "options");
        this.accounts = StreamCommandHandler.builder(store, new Accounts(), BankEvent.codec(), Accounts::streamOf)
                .snapshots(JsonSnapshotCodec.of(Accounts.State.class, 1), SnapshotPolicy.everyEvents(100))
                .cache(100_000)
                .name("accounts")
                .build();
        this.limits = QueryCommandHandler.builder(
                        store, new DailyLimit(options.dailyLimit()), BankEvent.codec(), DailyLimit::query)
                .streamOf(r -> "transfer-" + r.transferId())
                .tagsOf(DailyLimit::tagsOf)
                .name("daily-limit")
                .build();
        this.ledger = StreamCommandHandler.builder(
                        store, new TransferLedger(), BankEvent.codec(), f -> "transfer-" + f.transferId())
                .name("transfers")
                .build();
    }

    /** Starts the read models and the transfer process. */
    public Bank start() throws Exception {
        EventFilter bankEvents = EventFilter.streamNamePrefix("account-", "transfer-");
        views = ProjectionRunner.builder(
                        store,
                        "bank-views",
                        BankEvent.codec(),
                        new MemoryProjectionSink<BankEvent>(
                                e -> {
                                    balances.apply(e);
                                    statements.apply(e);
                                    transfers.apply(e);
                                },
                                () -> {
                                    balances.clear();
                                    statements.clear();
                                    transfers.clear();
                                }))
                .partitions(options.partitions())
                .filter(bankEvents)
                .build()
                .start();
        running.add(views);
        if (options.postgres() != null) {
            postgresBalances = new PostgresBalances(options.postgres(), options.balancesTable());
            postgresBalances.create();
            ProjectionRunner<BankEvent> pg = ProjectionRunner.builder(
                            store,
                            "bank-balances-" + options.balancesTable(),
                            BankEvent.codec(),
                            new JdbcProjectionSink<>(
                                    options.postgres(), postgresBalances::apply, postgresBalances::reset))
                    .partitions(options.partitions())
                    .filter(bankEvents)
                    .build()
                    .start();
            running.add(pg);
        }
        ProcessManagerRunner<BankEvent, TransferProcess.State, BankCommand> process = ProcessManagerRunner.builder(
                        store,
                        "transfer",
                        new TransferProcess(),
                        BankEvent.codec(),
                        JsonSnapshotCodec.of(TransferProcess.State.class, 1),
                        Codecs.COMMANDS,
                        this::send)
                .partitions(options.partitions())
                .filter(bankEvents)
                .build()
                .start();
        running.add(process);
        return this;
    }

    /** Routes a command to its handler (the transfer process sends its commands through here). */
    public CommandResult<BankEvent> send(CommandEnvelope<BankCommand> envelope) {
        return switch (envelope.command()) {
            case AccountCommand a -> accounts.handle(narrow(envelope, a));
            case RequestTransfer r -> limits.handle(narrow(envelope, r));
            case FinishTransfer f -> ledger.handle(narrow(envelope, f));
        };
    }

    private static <C> CommandEnvelope<C> narrow(CommandEnvelope<?> envelope, C command) {
        return new CommandEnvelope<>(envelope.commandId(), command, envelope.correlationId());
    }

    public CommandResult<BankEvent> openAccount(String accountId, String customerId) {
        return send(CommandEnvelope.of(new OpenAccount(accountId, customerId)));
    }

    public CommandResult<BankEvent> deposit(String accountId, long amount) {
        return send(CommandEnvelope.of(new Deposit(accountId, amount)));
    }

    public CommandResult<BankEvent> withdraw(String accountId, long amount) {
        return send(CommandEnvelope.of(new Withdraw(accountId, amount)));
    }

    /**
     * Asks for a transfer; an {@link CommandResult.Applied} result means it is accepted and
     * pending: the transfer process moves the money, and {@link TransferView#finished} tells
     * when it is done.
     */
    public CommandResult<BankEvent> requestTransfer(
            String transferId, String customerId, String from, String to, long amount, String day) {
        if (!transferId.startsWith(TRANSFER_PREFIX)) {
            throw new IllegalArgumentException("a transfer id starts with " + TRANSFER_PREFIX + ": " + transferId);
        }
        RequestTransfer request = new RequestTransfer(transferId, customerId, from, to, amount, day);
        return send(new CommandEnvelope<>(UUID.nameUUIDFromBytes(transferId.getBytes()), request, transferId));
    }

    public static String newTransferId() {
        return TRANSFER_PREFIX + UUID.randomUUID();
    }

    public EventStore store() {
        return store;
    }

    public StreamCommandHandler<AccountCommand, Accounts.State, BankEvent> accounts() {
        return accounts;
    }

    public BalanceView balances() {
        return balances;
    }

    public StatementView statements() {
        return statements;
    }

    public TransferView transfers() {
        return transfers;
    }

    public @Nullable PostgresBalances postgresBalances() {
        return postgresBalances;
    }

    /** Waits until the in-memory read models have applied everything up to {@code position}. */
    public boolean awaitViews(long position, Duration timeout) throws InterruptedException {
        return Objects.requireNonNull(views, "start the bank first").awaitPosition(position, timeout);
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        running.clear();
    }
}
