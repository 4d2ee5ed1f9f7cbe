package io.factum.framework.projection;

/**
 * A partition's checkpoint was not where this instance left it: another instance took the
 * partition over. The commit was not kept, and this instance stops working on the partition.
 */
public final class CheckpointMovedException extends Exception {
    public CheckpointMovedException(String projection, int partition, long expected) {
        super("the checkpoint of partition " + partition + " of projection " + projection + " is no longer at "
                + expected + ": another instance took the partition over");
    }
}
