package io.factum.api;

/**
 * The explicit limits every backend enforces at its boundary. Violations raise {@link
 * InvalidInputException} naming the field, the value and the limit.
 *
 * @param maxStreamNameBytes longest stream name, in UTF-8 bytes
 * @param maxEventTypeBytes longest event type, in UTF-8 bytes
 * @param maxEventBytes largest event (data plus metadata)
 * @param maxAppendBytes largest append (all events of one call, data plus metadata)
 * @param maxEventsPerAppend most events in one call
 * @param maxReadCount most events one read returns
 * @param tags limits on event tags and queries
 */
public record StoreLimits(
        int maxStreamNameBytes,
        int maxEventTypeBytes,
        int maxEventBytes,
        int maxAppendBytes,
        int maxEventsPerAppend,
        int maxReadCount,
        TagLimits tags) {

    public StoreLimits {
        positive("maxStreamNameBytes", maxStreamNameBytes);
        positive("maxEventTypeBytes", maxEventTypeBytes);
        positive("maxEventBytes", maxEventBytes);
        positive("maxAppendBytes", maxAppendBytes);
        positive("maxEventsPerAppend", maxEventsPerAppend);
        positive("maxReadCount", maxReadCount);
        java.util.Objects.requireNonNull(tags, "tags");
    }

    /** Limits with the default {@link TagLimits}. */
    public StoreLimits(
            int maxStreamNameBytes,
            int maxEventTypeBytes,
            int maxEventBytes,
            int maxAppendBytes,
            int maxEventsPerAppend,
            int maxReadCount) {
        this(
                maxStreamNameBytes,
                maxEventTypeBytes,
                maxEventBytes,
                maxAppendBytes,
                maxEventsPerAppend,
                maxReadCount,
                TagLimits.defaults());
    }

    /** These limits with other tag limits. */
    public StoreLimits withTags(TagLimits newTags) {
        return new StoreLimits(
                maxStreamNameBytes,
                maxEventTypeBytes,
                maxEventBytes,
                maxAppendBytes,
                maxEventsPerAppend,
                maxReadCount,
                newTags);
    }

    /**
     * Defaults: names as docs/semantics.md fixes them; 4 MiB events and 16 MiB appends (KurrentDB's gRPC
     * default append limit is 1 MiB, so every KurrentDB workload fits); 10,000 events per append.
     */
    public static StoreLimits defaults() {
        return new StoreLimits(1024, 256, 4 << 20, 16 << 20, 10_000, 10_000);
    }

    /** Checks a stream name: 1 to {@link #maxStreamNameBytes} UTF-8 bytes, no control characters. */
    public void checkStreamName(String field, String stream) {
        checkName(field, stream, maxStreamNameBytes);
        if (stream.equals(SystemNames.ALL)) {
            throw new InvalidInputException(field, stream, "'$all' is the global log, not a stream");
        }
    }

    /** Checks an event type: 1 to {@link #maxEventTypeBytes} UTF-8 bytes, no control characters. */
    public void checkEventType(String type) {
        checkName("eventType", type, maxEventTypeBytes);
    }

    /**
     * Checks one stream's part of an append: the stream name, the number of events, each event's type,
     * tags and size, and the total size. Returns the total payload bytes.
     */
    public long checkAppend(String stream, java.util.List<EventData> events) {
        checkStreamName("stream", stream);
        if (events.size() > maxEventsPerAppend) {
            throw new InvalidInputException(
                    "events", events.size() + " events", "an append may carry at most " + maxEventsPerAppend);
        }
        long total = 0;
        String checkedType = null;
        for (int i = 0; i < events.size(); i++) {
            EventData event = events.get(i);
            // Batches usually repeat one type; a type equal to the one just checked is valid.
            if (!event.type().equals(checkedType)) {
                checkEventType(event.type());
                checkedType = event.type();
            }
            if (!event.tags().isEmpty()) {
                checkTags("events[" + i + "].tags", event.tags());
            }
            int size = event.sizeBytes();
            if (size > maxEventBytes) {
                throw new InvalidInputException(
                        "events[" + i + "]", event.eventId(), "is " + size + " bytes, the limit is " + maxEventBytes);
            }
            total += size;
        }
        if (total > maxAppendBytes) {
            throw new InvalidInputException(
                    "events", total + " bytes", "an append may carry at most " + maxAppendBytes + " bytes");
        }
        return total;
    }

    /**
     * Checks an event's tags: at most {@link TagLimits#maxTagsPerEvent}, each 1 to {@link
     * TagLimits#maxTagBytes} UTF-8 bytes without control characters, no tag twice.
     */
    public void checkTags(String field, java.util.List<String> eventTags) {
        if (eventTags.size() > tags.maxTagsPerEvent()) {
            throw new InvalidInputException(
                    field, eventTags.size() + " tags", "an event may carry at most " + tags.maxTagsPerEvent());
        }
        for (int i = 0; i < eventTags.size(); i++) {
            String tag = eventTags.get(i);
            checkName(field + "[" + i + "]", tag, tags.maxTagBytes());
            if (eventTags.subList(0, i).contains(tag)) {
                throw new InvalidInputException(field + "[" + i + "]", tag, "is given twice");
            }
        }
    }

    /**
     * Checks a query: at most {@link TagLimits#maxQueryItems} items, each with at most {@link
     * TagLimits#maxItemTerms} types and tags, every type and tag a valid name. (That a query and its
     * items are not empty, the {@link Query} and {@link QueryItem} records check themselves.)
     */
    public void checkQuery(String field, Query query) {
        if (query.items().size() > tags.maxQueryItems()) {
            throw new InvalidInputException(
                    field, query.items().size() + " items", "a query may have at most " + tags.maxQueryItems());
        }
        for (int i = 0; i < query.items().size(); i++) {
            QueryItem item = query.items().get(i);
            String itemField = field + ".items[" + i + "]";
            int terms = item.types().size() + item.tags().size();
            if (terms > tags.maxItemTerms()) {
                throw new InvalidInputException(
                        itemField, terms + " types and tags", "an item may name at most " + tags.maxItemTerms());
            }
            for (int t = 0; t < item.types().size(); t++) {
                checkName(itemField + ".types[" + t + "]", item.types().get(t), maxEventTypeBytes);
            }
            for (int t = 0; t < item.tags().size(); t++) {
                checkName(itemField + ".tags[" + t + "]", item.tags().get(t), tags.maxTagBytes());
            }
        }
    }

    public void checkReadCount(int maxCount) {
        if (maxCount < 1 || maxCount > maxReadCount) {
            throw new InvalidInputException("maxCount", maxCount, "must be between 1 and " + maxReadCount);
        }
    }

    private static void checkName(String field, String value, int maxBytes) {
        if (value.isEmpty()) {
            throw new InvalidInputException(field, value, "must not be empty");
        }
        // Counts the UTF-8 bytes while it checks the characters: every append checks its names,
        // and encoding them here only to count would allocate per name.
        int bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidInputException(
                        field,
                        value,
                        "contains control character U+" + String.format("%04X", (int) c) + " at index " + i);
            }
            if (Character.isSurrogate(c)) {
                if (!(Character.isHighSurrogate(c)
                        && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(++i)))) {
                    throw new InvalidInputException(field, value, "is not valid UTF-16 (lone surrogate)");
                }
                bytes += 4;
            } else {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }
        if (bytes > maxBytes) {
            throw new InvalidInputException(field, value, "is " + bytes + " UTF-8 bytes, the limit is " + maxBytes);
        }
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new InvalidInputException(field, value, "must be >= 1");
        }
    }
}
