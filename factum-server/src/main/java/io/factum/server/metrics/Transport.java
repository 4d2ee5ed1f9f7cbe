package io.factum.server.metrics;

import java.util.Locale;

/** The protocol a request arrived on; a label of every transport counter. */
public enum Transport {
    GRPC,
    HTTP;

    /** The Prometheus label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
