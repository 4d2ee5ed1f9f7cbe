package io.factum.framework.migration;

import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The transform that needs no code: streams named {@code from...} are copied to {@code to...},
 * each event as it is except for the type renames given.
 */
public record PrefixCopy(String from, String to, Map<String, String> typeRenames) implements StreamTransform {
    public PrefixCopy {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        typeRenames = Map.copyOf(typeRenames);
        if (from.isEmpty() || to.isEmpty() || from.equals(to)) {
            throw new IllegalArgumentException(
                    "give two different, non-empty prefixes (from '" + from + "', to '" + to + "')");
        }
        if (to.startsWith(from)) {
            // account- to account-v2-: targets would look like sources; they are told apart by
            // their $migration mark, but a reader of the old prefix would see both.
            throw new IllegalArgumentException("the target prefix '" + to + "' starts with the source prefix '" + from
                    + "': choose one that does not, so that the old and new streams stay apart");
        }
    }

    @Override
    public @Nullable String targetStream(String sourceStream) {
        return sourceStream.startsWith(from) ? to + sourceStream.substring(from.length()) : null;
    }

    @Override
    public List<EventData> transform(RecordedEvent event) {
        EventData copy = StreamTransform.copy(event);
        String type = typeRenames.get(event.type());
        return List.of(
                type == null
                        ? copy
                        : new EventData(
                                copy.eventId(), type, copy.data(), copy.metadata(), copy.contentType(), copy.tags()));
    }
}
