package io.factum.bench;

import java.util.List;

/**
 * What a scenario measured, before the common parts (ceilings, environment, command) are added.
 *
 * @param figures the measured numbers
 * @param ratios figures divided by the ceilings
 * @param notes how to read them
 */
record Outcome(List<Figure> figures, List<Figure> ratios, List<String> notes) {
    Outcome {
        figures = List.copyOf(figures);
        ratios = List.copyOf(ratios);
        notes = List.copyOf(notes);
    }
}
