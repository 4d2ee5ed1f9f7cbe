package io.factum.framework;

/**
 * Why a command is refused by the domain ("insufficient funds", "account closed"). Implement it
 * with records, usually a sealed family per decider, so callers switch over the cases. A domain
 * error is an answer, not a failure: nothing is written and nothing is retried.
 */
public interface DomainError {

    /** One line for people: what was refused and why. */
    String message();
}
