package io.factum.cli;

/**
 * Registers work to run when the JVM is asked to stop (Ctrl-C). A seam so that tests can simulate
 * the interrupt without stopping their own JVM.
 */
interface ShutdownHooks {

    /**
     * Runs {@code hook} at shutdown until the returned registration is closed. Closing is safe even
     * while the JVM is already shutting down.
     */
    Registration register(Runnable hook);

    /** A registered hook; closing it unregisters it. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** The JVM's own shutdown hooks. */
    static ShutdownHooks runtime() {
        return hook -> {
            Thread thread = new Thread(hook, "factum-shutdown");
            Runtime.getRuntime().addShutdownHook(thread);
            return () -> {
                try {
                    Runtime.getRuntime().removeShutdownHook(thread);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running or has run: nothing left to unregister.
                }
            };
        };
    }
}
