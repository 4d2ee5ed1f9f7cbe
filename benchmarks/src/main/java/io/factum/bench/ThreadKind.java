package io.factum.bench;

import java.util.Locale;

/** Which threads the writers run on. */
enum ThreadKind {
    PLATFORM,
    VIRTUAL;

    Thread.Builder builder(String namePrefix) {
        return this == VIRTUAL
                ? Thread.ofVirtual().name(namePrefix, 0)
                : Thread.ofPlatform().daemon(true).name(namePrefix, 0);
    }

    String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
