package io.factum.cluster.internal;

/**
 * A cluster message (a Raft entry, a state-transfer reply) that does not decode: damaged, or
 * written by a version of Factum this one does not understand. Never a client's error: clients
 * never send these bytes, so it means a bug or a mixed-version cluster, and it names the field.
 */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
        super(message);
    }
}
