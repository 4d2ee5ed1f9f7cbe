package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.framework.Account.Deposit;
import io.factum.framework.Account.Deposited;
import io.factum.framework.Account.InsufficientFunds;
import io.factum.framework.Account.NotOpen;
import io.factum.framework.Account.Open;
import io.factum.framework.Account.Opened;
import io.factum.framework.Account.Withdraw;
import io.factum.framework.Account.Withdrawn;
import org.junit.jupiter.api.Test;

class DeciderFixtureTest {
    private final DeciderFixture<Account.Command, Account.State, Account.Event> account =
            DeciderFixture.of(new Account.Decide());

    @Test
    void givenWhenThenPassesForWhatTheDeciderDecides() {
        account.given(new Opened("a"), new Deposited(100))
                .when(new Withdraw("a", 30))
                .then(new Withdrawn(30));
        account.given().when(new Open("a")).then(new Opened("a"));
        account.given(new Opened("a")).when(new Open("a")).thenNothing();
        account.given(new Opened("a"), new Deposited(10))
                .when(new Withdraw("a", 30))
                .thenError(new InsufficientFunds(10, 30))
                .thenError(InsufficientFunds.class);
    }

    @Test
    void aWrongExpectationFailsWithTheHistoryTheCommandAndBothOutcomes() {
        assertThatThrownBy(() -> account.given(new Opened("a"))
                        .when(new Withdraw("a", 30))
                        .then(new Withdrawn(30)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("given [Opened[accountId=a]]")
                .hasMessageContaining("when Withdraw[accountId=a, amount=30]")
                .hasMessageContaining("expected events [Withdrawn[amount=30]]")
                .hasMessageContaining("but the decider decided error InsufficientFunds[balance=0, amount=30]");
        assertThatThrownBy(() -> account.given().when(new Deposit("a", 5)).then(new Deposited(5)))
                .hasMessageContaining("error NotOpen[accountId=a]");
        assertThatThrownBy(() -> account.given().when(new Open("a")).thenError(NotOpen.class))
                .hasMessageContaining("expected an error of type NotOpen")
                .hasMessageContaining("decided events [Opened[accountId=a]]");
        assertThatThrownBy(() -> account.given().when(new Open("a")).thenNothing())
                .hasMessageContaining("expected events []");
    }

    @Test
    void theDecisionIsThereForOtherAssertions() {
        Decision<Account.Event> decision =
                account.given(new Opened("a")).when(new Deposit("a", 7)).decision();

        assertThat(decision).isEqualTo(Decision.accept(new Deposited(7)));
    }
}
