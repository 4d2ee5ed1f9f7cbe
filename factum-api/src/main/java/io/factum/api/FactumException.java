package io.factum.api;

/** The root of every failure the contract defines; each backend throws these, never its own. */
public abstract sealed class FactumException extends RuntimeException
        permits WrongExpectedVersionException,
                AppendConditionFailedException,
                StreamDeletedException,
                InvalidInputException,
                StoreClosedException,
                StoreFailedException,
                AccessDeniedException,
                NotLeaderException {

    protected FactumException(String message) {
        super(message);
    }

    protected FactumException(String message, Throwable cause) {
        super(message, cause);
    }
}
