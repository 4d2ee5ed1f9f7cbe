package io.factum.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.framework.Decider;
import io.factum.framework.EventCodec;
import io.factum.framework.tools.Replay;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code factum replay}: an entity's events, each with the state after it. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Folds a stream's events through a decider and prints each event with the state after it,"
                    + " to see how an entity came to be as it is, or what it was at a version or a time.",
            "The decider is a class of yours (a io.factum.framework.Decider with a public no-argument"
                    + " constructor); its events are read with --codec CLASS, or else with the decider"
                    + " class's public static codec() method.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  factum replay account-42 --decider com.example.AccountDecider --classpath service.jar",
            "  factum replay account-42 --decider com.example.AccountDecider --until 2026-03-01T00:00:00Z"
        })
final class ReplayCommand extends Verb {

    @Parameters(index = "0", paramLabel = "STREAM", description = "The entity's stream.")
    String stream = "";

    @Option(
            names = "--decider",
            required = true,
            paramLabel = "CLASS",
            description = "The decider that folds the events.")
    String deciderClass = "";

    @Option(
            names = "--codec",
            paramLabel = "CLASS",
            description = "The EventCodec that reads them (default: the decider's static codec()).")
    Optional<String> codecClass = Optional.empty();

    @Option(
            names = "--classpath",
            paramLabel = "JARS",
            description = "Where the classes are: jars or directories, ':'-separated.")
    Optional<String> classpath = Optional.empty();

    @Option(
            names = "--until",
            paramLabel = "VERSION|TIME",
            description =
                    "Stop after this version, or after the last event stored at or before this time (ISO-8601, e.g. 2026-03-01T12:00:00Z).")
    Optional<String> until = Optional.empty();

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Integer call() throws IOException {
        PluginClasses classes = new PluginClasses(classpath);
        Decider decider = classes.create(deciderClass, Decider.class, "--decider");
        EventCodec codec = codecClass.isPresent()
                ? classes.create(codecClass.get(), EventCodec.class, "--codec")
                : staticCodec(classes.find(deciderClass, "--decider"));
        Replay.Until stop = parseUntil();
        long replayed;
        try (EventStore store = openExisting()) {
            replayed = Replay.replay(store, stream, decider, codec, stop, step -> print((Replay.Step<?>) step));
        } catch (IllegalArgumentException e) {
            throw CliException.failed(e.getMessage());
        }
        if (replayed == 0) {
            throw CliException.failed(
                    "stream '" + stream + "' has no events" + (until.isPresent() ? " up to " + until.get() : ""));
        }
        io().out().flush();
        return ExitCodes.OK;
    }

    private static EventCodec<?> staticCodec(Class<?> deciderType) {
        try {
            Method method = deciderType.getMethod("codec");
            if (!Modifier.isStatic(method.getModifiers())
                    || !EventCodec.class.isAssignableFrom(method.getReturnType())) {
                throw new NoSuchMethodException();
            }
            return (EventCodec<?>) method.invoke(null);
        } catch (NoSuchMethodException e) {
            throw CliException.usage(deciderType.getName() + " has no public static codec() returning an EventCodec:"
                    + " give --codec CLASS");
        } catch (ReflectiveOperationException e) {
            throw CliException.failed("could not get the codec of " + deciderType.getName() + ": " + e.getCause());
        }
    }

    private Replay.Until parseUntil() {
        if (until.isEmpty()) {
            return Replay.Until.end();
        }
        String text = until.get();
        try {
            long version = Long.parseLong(text);
            if (version < 0) {
                throw CliException.usage("invalid --until " + text + ": a version is >= 0");
            }
            return new Replay.Until(version, null);
        } catch (NumberFormatException notANumber) {
            try {
                return new Replay.Until(Long.MAX_VALUE, Instant.parse(text));
            } catch (DateTimeParseException e) {
                throw CliException.usage(
                        "invalid --until '" + text + "': give a version (42) or a time" + " (2026-03-01T12:00:00Z)");
            }
        }
    }

    private void print(Replay.Step<?> step) {
        RecordedEvent e = step.event();
        String state = render(step.state());
        if (json()) {
            ObjectNode node = Json.object();
            node.put("version", e.version());
            node.put("position", e.position());
            node.put("type", e.type());
            node.put("created", e.created().toString());
            Json.tryParse(e.data())
                    .ifPresentOrElse(
                            d -> node.set("data", d),
                            () -> node.put(
                                    "dataBase64", java.util.Base64.getEncoder().encodeToString(e.data())));
            node.set("state", stateNode(step.state()));
            io().out().println(Json.compact(node));
            return;
        }
        io().out()
                .printf(
                        "@%d  %s  %s  %s%n",
                        e.version(),
                        e.type(),
                        e.created(),
                        Json.tryParse(e.data()).map(Json::compact).orElse("(binary, " + e.data().length + " bytes)"));
        io().out().printf("    state: %s%n", state);
    }

    private static String render(Object state) {
        JsonNode node = stateNode(state);
        return node.isTextual() ? node.asText() : Json.compact(node);
    }

    private static JsonNode stateNode(Object state) {
        try {
            return Json.MAPPER.valueToTree(state);
        } catch (IllegalArgumentException e) {
            return Json.MAPPER.getNodeFactory().textNode(String.valueOf(state));
        }
    }
}
