package io.factum.api;

/** How an event's data is encoded; KurrentDB clients send it as {@code content-type}. */
public enum ContentType {
    JSON("application/json"),
    BINARY("application/octet-stream");

    private final String mimeType;

    ContentType(String mimeType) {
        this.mimeType = mimeType;
    }

    public String mimeType() {
        return mimeType;
    }
}
