package io.factum.api;

/**
 * Limits on tags and queries, part of {@link StoreLimits}. Tags are index keys: an unbounded number
 * or length per event would make the tag index grow without bound, so both are capped.
 *
 * @param maxTagsPerEvent most tags one event may carry
 * @param maxTagBytes longest tag, in UTF-8 bytes
 * @param maxQueryItems most items in one query
 * @param maxItemTerms most types plus tags in one query item
 */
public record TagLimits(int maxTagsPerEvent, int maxTagBytes, int maxQueryItems, int maxItemTerms) {

    public TagLimits {
        positive("maxTagsPerEvent", maxTagsPerEvent);
        positive("maxTagBytes", maxTagBytes);
        positive("maxQueryItems", maxQueryItems);
        positive("maxItemTerms", maxItemTerms);
    }

    /** Defaults: 16 tags of at most 128 bytes per event; 32 items of at most 16 types and tags. */
    public static TagLimits defaults() {
        return new TagLimits(16, 128, 32, 16);
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new InvalidInputException(field, value, "must be >= 1");
        }
    }
}
