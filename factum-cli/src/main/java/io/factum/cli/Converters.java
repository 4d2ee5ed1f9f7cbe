package io.factum.cli;

import io.factum.api.ExpectedVersion;
import java.time.Duration;
import java.util.UUID;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converters; their messages become "Invalid value for option ...: message". */
final class Converters {

    private Converters() {}

    /** {@code any}, {@code no-stream}, {@code stream-exists} or a version number >= 0. */
    static final class ExpectedVersionConverter implements ITypeConverter<ExpectedVersion> {
        @Override
        public ExpectedVersion convert(String value) {
            return switch (value) {
                case "any" -> ExpectedVersion.any();
                case "no-stream" -> ExpectedVersion.noStream();
                case "stream-exists" -> ExpectedVersion.streamExists();
                default -> {
                    try {
                        long version = Long.parseLong(value);
                        if (version >= 0) {
                            yield ExpectedVersion.exactly(version);
                        }
                    } catch (NumberFormatException e) {
                        // Reported below with the accepted forms.
                    }
                    throw new TypeConversionException(
                            "'" + value + "' is not any, no-stream, stream-exists or a version number >= 0");
                }
            };
        }
    }

    static final class UuidConverter implements ITypeConverter<UUID> {
        @Override
        public UUID convert(String value) {
            try {
                return Uuids.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
