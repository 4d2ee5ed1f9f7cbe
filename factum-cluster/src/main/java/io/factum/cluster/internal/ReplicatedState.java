package io.factum.cluster.internal;

import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import io.factum.engine.EngineOptions;
import io.factum.engine.Replica;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.jspecify.annotations.Nullable;

/**
 * The Raft state machine of a node: applies each committed entry to the node's {@link Replica}.
 *
 * <p>Apply is deterministic ({@link Replica}), so every node's store holds the same records at the
 * same positions. The store is written without per-write fsync; the {@link ApplyJournal} records
 * which entry wrote which frame, and a snapshot ({@link #takeSnapshot}) is a sync of the store plus
 * a journal mark, after which Raft may purge its log up to the mark. At start, the journal says
 * where the store stands, which is what {@link #getLatestSnapshot} reports, because Ratis resumes
 * applying right after the latest snapshot.
 *
 * <p>A node whose next entry the leader has purged installs a snapshot: Ratis tells it so ({@link
 * #notifyInstallSnapshotFromLeader}), and it copies the records it lacks from the leader's store
 * ({@link StateTransfer}). Meanwhile the entries Ratis still applies are all within what is being
 * copied (a node's commit index never passes the leader's snapshot while it lacks the leader's
 * log), so they are skipped.
 */
public final class ReplicatedState extends BaseStateMachine {
    private static final System.Logger LOG = System.getLogger(ReplicatedState.class.getName());
    private static final int TRANSFER_CHUNK_BYTES = 4 << 20;

    /** Hears each applied entry with its outcomes, on the applying thread. */
    public interface Applied {
        void applied(Entry entry, List<Replica.Outcome> outcomes);
    }

    private final EngineOptions engineOptions;
    private final Path journalDir;
    private final Applied applied;
    private final Function<RaftPeer, StateTransfer.Source> sources;
    private final Consumer<RaftPeerId> leaderChanged;
    private final Object lock = new Object();
    private final Storage storage = new Storage();

    private @Nullable Replica replica;
    private @Nullable ApplyJournal journal;

    /** The newest durable mark: where Raft may purge up to and where a restart resumes. */
    private volatile @Nullable TermIndex mark;

    /** Entries up to this index are already in the store (copied from another node): skipped. */
    private volatile long skipThrough = -1;

    /** Set while a copy from another node runs: entries Ratis applies meanwhile are in the copy. */
    private volatile boolean installing;

    private volatile @Nullable Throwable failure;

    public ReplicatedState(
            EngineOptions engineOptions,
            Path journalDir,
            Applied applied,
            Function<RaftPeer, StateTransfer.Source> sources,
            Consumer<RaftPeerId> leaderChanged) {
        this.leaderChanged = leaderChanged;
        this.engineOptions = engineOptions;
        this.journalDir = journalDir;
        this.applied = applied;
        this.sources = sources;
    }

    /** The node's store; available once Ratis initialised this state machine. */
    public Replica replica() {
        Replica r = replica;
        if (r == null) {
            throw new IllegalStateException("the node's store is not open yet");
        }
        return r;
    }

    /** The error that stopped applying, if any. */
    public @Nullable Throwable failure() {
        return failure;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        try {
            getLifeCycle().startAndTransition(this::open, IOException.class);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("opening the node's store failed: " + e.getMessage(), e);
        }
    }

    private void open() throws IOException {
        Replica opened = Replica.open(engineOptions);
        try {
            ApplyJournal openedJournal = ApplyJournal.open(journalDir);
            ApplyJournal.Resume resume = openedJournal.resume(opened.nextPosition());
            if (resume instanceof ApplyJournal.Resume.Inconsistent i) {
                openedJournal.close();
                throw new IOException("the node's store in " + engineOptions.dataDir() + " cannot be trusted: "
                        + i.reason() + ". Stop the node, delete its data directory and start it again: it copies"
                        + " the store from the other nodes");
            }
            ApplyJournal.Resume.At at = (ApplyJournal.Resume.At) resume;
            synchronized (lock) {
                replica = opened;
                journal = openedJournal;
                if (at.index() >= 0) {
                    // Vouch for the store durably before Raft may rely on it.
                    opened.sync();
                    openedJournal.mark(at.index(), at.term(), opened.nextPosition());
                    TermIndex resumed = TermIndex.valueOf(at.term(), at.index());
                    mark = resumed;
                    setLastAppliedTermIndex(resumed);
                }
            }
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        var logEntry = trx.getLogEntry();
        long index = logEntry.getIndex();
        long term = logEntry.getTerm();
        if (installing || index <= skipThrough) {
            updateLastAppliedTermIndex(term, index);
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        Entry entry =
                Entry.decode(logEntry.getStateMachineLogEntry().getLogData().toByteArray());
        List<Replica.Outcome> outcomes;
        try {
            synchronized (lock) {
                ApplyJournal j = journal;
                outcomes = replica()
                        .apply(entry.commands(), entry.time(), (first, next) -> j.frame(index, term, first, next));
                updateLastAppliedTermIndex(term, index);
            }
        } catch (RuntimeException e) {
            // The store failed (an IO error): this node cannot apply any further entry. Ratis
            // closes the node when apply throws; the others carry on without it.
            failure = e;
            throw e;
        }
        applied.applied(entry, outcomes);
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public long takeSnapshot() throws IOException {
        synchronized (lock) {
            if (installing) {
                return mark == null ? -1 : mark.getIndex();
            }
            TermIndex last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() < 0) {
                return -1;
            }
            replica().sync();
            journal().mark(last.getIndex(), last.getTerm(), replica().nextPosition());
            mark = last;
            return last.getIndex();
        }
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        TermIndex m = mark;
        return m == null ? null : new Mark(m);
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            Queries.Request decoded = Queries.decodeRequest(request.getContent().toByteArray());
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer(decoded))));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Message> queryStale(Message request, long minIndex) {
        // Only state transfer reads stale, with minIndex 0: Ratis' own wait for minIndex is not needed.
        return query(request);
    }

    private byte[] answer(Queries.Request request) {
        return switch (request) {
            case Queries.Request.Barrier b -> new byte[0];
            case Queries.Request.State s -> Queries.encode(statePoint());
            case Queries.Request.Records r -> Queries.encodeRecords(records(r));
        };
    }

    /** The last applied entry and the store's next position, read together. */
    public Queries.StatePoint statePoint() {
        synchronized (lock) {
            TermIndex last = getLastAppliedTermIndex();
            return new Queries.StatePoint(
                    last.getIndex(), last.getTerm(), replica().nextPosition());
        }
    }

    private List<RecordedEvent> records(Queries.Request.Records r) {
        List<RecordedEvent> out = new ArrayList<>();
        long bytes = 0;
        long next = r.from();
        var store = replica().store();
        while (next < r.upTo() && bytes < r.maxBytes()) {
            int count = (int) Math.min(1000, r.upTo() - next);
            List<RecordedEvent> batch =
                    store.readAll(ReadAllOptions.forwards(next, count)).events();
            if (batch.isEmpty()) {
                break;
            }
            for (RecordedEvent e : batch) {
                if (e.position() >= r.upTo() || (bytes >= r.maxBytes() && !out.isEmpty())) {
                    return out;
                }
                out.add(e);
                bytes += 100L + e.data().length + e.metadata().length;
                next = e.position() + 1;
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
            RoleInfoProto roleInfo, TermIndex firstTermIndexInLog) {
        TermIndex last = getLastAppliedTermIndex();
        long lastIndex = last == null ? -1 : last.getIndex();
        LOG.log(
                System.Logger.Level.INFO,
                "the leader's log starts at " + firstTermIndexInLog + "; this node applied up to " + lastIndex);
        if (firstTermIndexInLog.getIndex() <= lastIndex + 1) {
            // A new member, and the leader still has every entry it lacks: take them from the log.
            return CompletableFuture.completedFuture(null);
        }
        if (!roleInfo.hasFollowerInfo() || !roleInfo.getFollowerInfo().hasLeaderInfo()) {
            return CompletableFuture.failedFuture(new IOException("no leader known to copy the store from"));
        }
        var proto = roleInfo.getFollowerInfo().getLeaderInfo().getId();
        // Taken from the message, not this node's configuration: a joining node has none yet.
        RaftPeer leader = RaftPeer.newBuilder()
                .setId(RaftPeerId.valueOf(proto.getId()))
                .setAddress(proto.getAddress())
                .build();
        installing = true;
        CompletableFuture<TermIndex> done = new CompletableFuture<>();
        Thread.ofVirtual().name("factum-install-from-" + leader.getId()).start(() -> install(leader, done));
        return done;
    }

    /** Copies what the store lacks from the leader's store, then marks the copy durable. */
    private void install(RaftPeer leader, CompletableFuture<TermIndex> done) {
        try (StateTransfer.Source source = sources.apply(leader)) {
            Queries.StatePoint target =
                    StateTransfer.copy(source, this::nextPosition, this::importRecords, TRANSFER_CHUNK_BYTES);
            TermIndex installed = TermIndex.valueOf(target.term(), target.index());
            synchronized (lock) {
                replica().sync();
                journal().mark(target.index(), target.term(), replica().nextPosition());
                mark = installed;
                skipThrough = target.index();
                setLastAppliedTermIndex(installed);
                installing = false;
            }
            LOG.log(
                    System.Logger.Level.INFO,
                    "copied the store from " + leader + " up to entry " + target.index() + " (position "
                            + (target.next() - 1) + ")");
            done.complete(installed);
        } catch (IOException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "copying the store from " + leader + " failed; the leader will ask again",
                    e);
            installing = false;
            done.complete(null);
        }
    }

    private long nextPosition() {
        synchronized (lock) {
            return replica().nextPosition();
        }
    }

    private void importRecords(List<RecordedEvent> records) {
        synchronized (lock) {
            replica().importRecords(records);
        }
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        leaderChanged.accept(newLeaderId);
    }

    @Override
    public void pause() {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
            lifeCycle.transition(LifeCycle.State.PAUSING);
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        // The store was brought up to the installed point in place (install()); nothing to reload.
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.PAUSED) {
            lifeCycle.transition(LifeCycle.State.STARTING);
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (lock) {
            try {
                if (journal != null) {
                    journal.close();
                }
            } finally {
                if (replica != null) {
                    replica.close();
                }
            }
        }
        super.close();
    }

    private ApplyJournal journal() {
        ApplyJournal j = journal;
        if (j == null) {
            throw new IllegalStateException("the node's journal is not open yet");
        }
        return j;
    }

    /** A snapshot is a mark: the store itself is the state, so there are no files to send. */
    private record Mark(TermIndex termIndex) implements SnapshotInfo {
        @Override
        public TermIndex getTermIndex() {
            return termIndex;
        }

        @Override
        public List<FileInfo> getFiles() {
            return List.of();
        }
    }

    /** Ratis asks for a storage; the store and the journal are this state machine's. */
    private final class Storage implements StateMachineStorage {
        @Override
        public void init(RaftStorage raftStorage) {}

        @Override
        public SnapshotInfo getLatestSnapshot() {
            return ReplicatedState.this.getLatestSnapshot();
        }

        @Override
        public void format() {}

        @Override
        public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {}

        @Override
        public File getSnapshotDir() {
            return journalDir.toFile();
        }

        @Override
        public File getTmpDir() {
            return journalDir.resolve("tmp").toFile();
        }
    }
}
