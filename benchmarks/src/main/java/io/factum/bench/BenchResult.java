package io.factum.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything one scenario run reports: its parameters, figures, the machine's ceilings and the
 * ratios to them, the environment, and the command line that reproduces it.
 *
 * @param scenario the subcommand
 * @param at when the run finished
 * @param parameters effective options by name ({@code --writers} to {@code 64}), defaults included
 * @param figures the measured numbers
 * @param ceilings this machine's ceilings, measured in the same invocation
 * @param ratios figures divided by ceilings
 * @param environment JVM and machine
 * @param notes how to read the figures (what was extrapolated, what was warm)
 */
record BenchResult(
        String scenario,
        Instant at,
        Map<String, String> parameters,
        List<Figure> figures,
        Ceilings ceilings,
        List<Figure> ratios,
        Environment environment,
        List<String> notes) {

    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    BenchResult {
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        figures = List.copyOf(figures);
        ratios = List.copyOf(ratios);
        notes = List.copyOf(notes);
    }

    /** The exact {@code ./factum bench ...} line that runs this scenario with these parameters. */
    String command() {
        List<String> words = new ArrayList<>(List.of("./factum", "bench", scenario));
        parameters.forEach((option, value) -> {
            words.add(option);
            words.add(value);
        });
        return String.join(" ", words.stream().map(BenchResult::quote).toList());
    }

    /** The report printed on standard output. */
    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("=== ").append(scenario).append(" ===\n");
        sb.append("parameters: ");
        List<String> ps = new ArrayList<>();
        parameters.forEach((k, v) -> ps.add(k.replaceFirst("^--", "") + "=" + v));
        sb.append(String.join(" ", ps)).append('\n');
        sb.append("figures:\n");
        figures.forEach(f -> line(sb, f));
        sb.append("ceilings:\n");
        ceilings.describe().forEach(l -> sb.append("  ").append(l).append('\n'));
        if (!ratios.isEmpty()) {
            sb.append("ratios:\n");
            ratios.forEach(f -> line(sb, f));
        }
        notes.forEach(n -> sb.append("note: ").append(n).append('\n'));
        environment.describe().forEach(l -> sb.append(l).append('\n'));
        sb.append("reproduce: ").append(command()).append('\n');
        return sb.toString();
    }

    /** The JSON line written by {@code --json}. */
    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("at", at.toString());
        m.put("parameters", parameters);
        m.put("figures", figures.stream().map(BenchResult::figureMap).toList());
        m.put("ceilings", ceilings.toMap());
        m.put("ratios", ratios.stream().map(BenchResult::figureMap).toList());
        m.put("environment", environment.toMap());
        m.put("notes", notes);
        m.put("command", command());
        return Json.write(m);
    }

    private static Map<String, Object> figureMap(Figure f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", f.name());
        m.put("value", f.value());
        m.put("unit", f.unit());
        m.put("target", f.target());
        return m;
    }

    private static void line(StringBuilder sb, Figure f) {
        sb.append(String.format(java.util.Locale.ROOT, "  %-60s %s", f.name(), f.display()));
        f.target().ifPresent(t -> sb.append("   (target ").append(t).append(')'));
        sb.append('\n');
    }

    private static String quote(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
