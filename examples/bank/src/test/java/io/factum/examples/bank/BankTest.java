package io.factum.examples.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventStore;
import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.framework.CommandResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bank's rules, through its service, on the embedded store. */
class BankTest {
    @TempDir
    Path dir;

    EventStore store;
    Bank bank;

    @BeforeEach
    void open() throws Exception {
        store = EmbeddedEventStore.open(EngineOptions.defaults(dir).withDurability(Durability.NO_FSYNC));
        bank = new Bank(store, Bank.Options.defaults().withDailyLimit(100)).start();
        bank.openAccount("a", "ann");
        bank.openAccount("b", "ann");
        bank.openAccount("c", "bob");
        bank.deposit("a", 500);
    }

    @AfterEach
    void close() {
        bank.close();
        store.close();
    }

    TransferView.Transfer transfer(String from, String to, long amount) throws Exception {
        String id = Bank.newTransferId();
        CommandResult<BankEvent> result = bank.requestTransfer(id, "ann", from, to, amount, "2026-12-07");
        assertThat(result).as("%s", result).isInstanceOf(CommandResult.Applied.class);
        return bank.transfers().finished(id).get(20, TimeUnit.SECONDS);
    }

    @Test
    void aTransferMovesTheMoneyAndTheReadModelsShowIt() throws Exception {
        TransferView.Transfer done = transfer("a", "c", 30);

        assertThat(done.outcome()).isEqualTo("completed");
        assertThat(bank.awaitViews(store.headPosition(), Duration.ofSeconds(10)))
                .isTrue();
        assertThat(bank.balances().balance("a")).contains(470L);
        assertThat(bank.balances().balance("c")).contains(30L);
        assertThat(bank.statements().of("c"))
                .extracting(StatementView.Line::what)
                .containsExactly("opened", "deposit");
        assertThat(bank.statements().of("c").getLast().reference()).isEqualTo(done.transferId());
    }

    @Test
    void aTransferToAMissingAccountIsRefundedAndOneWithoutCoverFails() throws Exception {
        assertThat(transfer("a", "nowhere", 40).outcome()).isEqualTo("refunded");
        TransferView.Transfer poor = transfer("b", "a", 10);
        assertThat(poor.outcome()).isEqualTo("failed");
        assertThat(poor.reason()).contains("holds 0, less than 10");
        assertThat(bank.awaitViews(store.headPosition(), Duration.ofSeconds(10)))
                .isTrue();
        assertThat(bank.balances().balance("a")).contains(500L);
        assertThat(bank.statements().of("a"))
                .extracting(StatementView.Line::what)
                .containsExactly("opened", "deposit", "withdrawal", "deposit");
    }

    @Test
    void theDailyLimitSpansTheCustomersAccounts() throws Exception {
        bank.deposit("b", 500);
        transfer("a", "c", 60);
        CommandResult<BankEvent> second = bank.requestTransfer(Bank.newTransferId(), "ann", "b", "c", 50, "2026-12-07");
        assertThat(second).isInstanceOf(CommandResult.Rejected.class);
        assertThat(((CommandResult.Rejected<BankEvent>) second).error())
                .isEqualTo(new DailyLimit.LimitExceeded("ann", "2026-12-07", 100, 60, 50));
        assertThat(bank.requestTransfer(Bank.newTransferId(), "ann", "b", "c", 50, "2026-12-08"))
                .as("another day")
                .isInstanceOf(CommandResult.Applied.class);
    }

    @Test
    void aRequestSentTwiceIsOneTransfer() throws Exception {
        String id = Bank.newTransferId();
        bank.requestTransfer(id, "ann", "a", "c", 20, "2026-12-07");
        assertThat(bank.requestTransfer(id, "ann", "a", "c", 20, "2026-12-07"))
                .isInstanceOf(CommandResult.AlreadyApplied.class);
        bank.transfers().finished(id).get(20, TimeUnit.SECONDS);
        assertThat(bank.awaitViews(store.headPosition(), Duration.ofSeconds(10)))
                .isTrue();
        assertThat(bank.balances().balance("c")).contains(20L);
    }
}
