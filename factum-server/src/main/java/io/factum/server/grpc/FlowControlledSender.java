package io.factum.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends a server stream's messages at the pace the client reads them. {@link #send} blocks the
 * calling (virtual) thread while the transport's buffer is full, so a slow reader slows only its own
 * read or subscription, which in turn pulls from storage instead of buffering in memory.
 *
 * <p>Must be created inside the service method, before it returns: gRPC only accepts the ready and
 * cancel handlers there.
 */
final class FlowControlledSender<T> {

    private final ServerCallStreamObserver<T> observer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean cancelled;
    private boolean ended; // guarded by this
    private volatile Runnable onCancel = () -> {};

    FlowControlledSender(ServerCallStreamObserver<T> observer) {
        this.observer = observer;
        observer.setOnReadyHandler(this::signal);
        observer.setOnCancelHandler(() -> {
            cancelled = true;
            signal();
            onCancel.run();
        });
    }

    /** Runs once if the client cancels the call (or its deadline passes). */
    void onCancel(Runnable action) {
        this.onCancel = action;
        if (cancelled) {
            action.run();
        }
    }

    /**
     * Sends one message once the transport can take it.
     *
     * @throws CallCancelledException when the client went away
     */
    void send(T message) {
        awaitReady();
        synchronized (this) {
            if (ended) {
                throw new CallCancelledException();
            }
            observer.onNext(message);
        }
    }

    synchronized void complete() {
        if (!cancelled && !ended) {
            ended = true;
            observer.onCompleted();
        }
    }

    /** Ends the call with the error's status; later sends are refused. */
    synchronized void fail(Throwable error) {
        if (!cancelled && !ended) {
            ended = true;
            observer.onError(GrpcErrors.toStatus(error));
        }
        signal();
    }

    private void awaitReady() {
        if (cancelled) {
            throw new CallCancelledException();
        }
        if (observer.isReady()) {
            return;
        }
        lock.lock();
        try {
            while (!observer.isReady()) {
                if (cancelled || isEnded()) {
                    throw new CallCancelledException();
                }
                // The timeout is a safety net against a missed signal; the ready handler wakes us.
                changed.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallCancelledException();
        } finally {
            lock.unlock();
        }
    }

    private synchronized boolean isEnded() {
        return ended;
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The client cancelled the call; the sender stops quietly. */
    static final class CallCancelledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallCancelledException() {
            super("the client cancelled the call", null, false, false);
        }
    }
}
