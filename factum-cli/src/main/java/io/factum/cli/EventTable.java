package io.factum.cli;

import io.factum.api.RecordedEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Events as an aligned table fitted to the terminal width: position, stream, version, type, tags,
 * created, and the data cut to the room that is left. The tags column is shown when the verb asks
 * for it ({@code read-query}), or else when a row of the first block carries tags, so that a store
 * without tags keeps its narrower table; {@code --json} always carries every event's tags.
 *
 * <p>Column widths are chosen from the first {@code blockRows} rows (all of a short read) and then
 * kept, so that a long read streams in constant memory; later values that are too wide are cut
 * with "...". Not thread-safe.
 */
final class EventTable implements EventOutput {

    private static final String[] HEADERS = {"POSITION", "STREAM", "VERSION", "TYPE", "TAGS", "CREATED", "DATA"};
    private static final boolean[] RIGHT_ALIGNED = {true, false, true, false, false, false, false};
    /** Widest the stream, type and tags columns get, so that the data keeps some room. */
    private static final int[] MAX_WIDTHS = {20, 40, 20, 32, 40, 24};

    private static final String GAP = "  ";
    private static final String CUT = "...";
    private static final int STREAM = 1;
    private static final int TYPE = 3;
    private static final int TAGS = 4;
    /** The data column is at least this wide while the name columns can still be narrowed. */
    private static final int MIN_DATA_WIDTH = 24;
    /** The narrowest the stream, type and data columns get. */
    private static final int MIN_NAME_WIDTH = 8;

    private final PrintWriter out;
    private final int widthColumns;
    private final int blockRows;
    private final int[] minWidths;
    private final boolean alwaysTags;
    private final List<String[]> pending = new ArrayList<>();
    private int[] widths = new int[0];
    /** Decided with the widths: whether the tags column is printed. */
    private boolean tagsShown;

    private long rows;

    private EventTable(PrintWriter out, int widthColumns, int blockRows, int[] minWidths, boolean alwaysTags) {
        this.out = out;
        this.widthColumns = widthColumns;
        this.blockRows = blockRows;
        this.minWidths = minWidths.clone();
        this.alwaysTags = alwaysTags;
    }

    /** For reads: widths from the first 256 rows. */
    static EventTable batch(PrintWriter out, int widthColumns, boolean alwaysTags) {
        return new EventTable(out, widthColumns, 256, new int[] {0, 0, 0, 0, 0, 0}, alwaysTags);
    }

    /** For tails: each row printed at once, in columns wide enough for most names. */
    static EventTable streaming(PrintWriter out, int widthColumns, boolean alwaysTags) {
        return new EventTable(out, widthColumns, 1, new int[] {8, 16, 7, 12, 12, 24}, alwaysTags);
    }

    @Override
    public void event(RecordedEvent event) {
        rows++;
        String[] cells = {
            Long.toString(event.position()),
            event.stream(),
            Payloads.version(event),
            event.type(),
            String.join(",", event.tags()),
            Payloads.created(event.created()),
            // Never keep more of the data than any terminal line could show.
            cut(Payloads.dataCell(event), widthColumns)
        };
        if (widths.length == 0) {
            pending.add(cells);
            if (pending.size() >= blockRows) {
                printPending();
            }
        } else {
            printRow(cells);
        }
    }

    @Override
    public void finish() {
        if (rows == 0 && blockRows > 1) {
            out.println("(no events)");
        } else if (widths.length == 0) {
            printPending();
        }
        out.flush();
    }

    private void printPending() {
        tagsShown = alwaysTags || pending.stream().anyMatch(row -> !row[TAGS].isEmpty());
        widths = new int[HEADERS.length];
        int used = 0;
        for (int column = 0; column < HEADERS.length - 1; column++) {
            if (column == TAGS && !tagsShown) {
                continue;
            }
            int width = Math.max(HEADERS[column].length(), minWidths[column]);
            for (String[] row : pending) {
                width = Math.max(width, row[column].length());
            }
            widths[column] = Math.min(width, Math.max(MAX_WIDTHS[column], minWidths[column]));
            used += widths[column] + GAP.length();
        }
        int dataWidth = widthColumns - used;
        // On a narrow terminal the data keeps some room: the name columns give it up first, widest first.
        while (dataWidth < MIN_DATA_WIDTH) {
            int column = widths[STREAM] >= widths[TYPE] ? STREAM : TYPE;
            if (widths[TAGS] > widths[column]) {
                column = TAGS; // zero unless the tags column is shown
            }
            if (widths[column] <= MIN_NAME_WIDTH) {
                break;
            }
            widths[column]--;
            dataWidth++;
        }
        widths[HEADERS.length - 1] = Math.max(MIN_NAME_WIDTH, dataWidth);
        printRow(HEADERS);
        pending.forEach(this::printRow);
        pending.clear();
        out.flush();
    }

    private void printRow(String[] cells) {
        StringBuilder line = new StringBuilder(widthColumns);
        for (int column = 0; column < cells.length; column++) {
            if (column == TAGS && !tagsShown) {
                continue;
            }
            boolean last = column == cells.length - 1;
            String cell = cut(cells[column], widths[column]);
            if (last) {
                line.append(cell);
            } else if (RIGHT_ALIGNED[column]) {
                line.append(" ".repeat(widths[column] - cell.length()))
                        .append(cell)
                        .append(GAP);
            } else {
                line.append(cell)
                        .append(" ".repeat(widths[column] - cell.length()))
                        .append(GAP);
            }
        }
        out.println(line.toString().stripTrailing());
        if (blockRows == 1) {
            out.flush();
        }
    }

    /** Cuts {@code text} to {@code width} characters, marking the cut; control characters become spaces. */
    static String cut(String text, int width) {
        String clean = text.chars().anyMatch(Character::isISOControl)
                ? text.codePoints()
                        .map(c -> Character.isISOControl(c) ? ' ' : c)
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                        .toString()
                : text;
        if (clean.length() <= width) {
            return clean;
        }
        return width <= CUT.length() ? clean.substring(0, width) : clean.substring(0, width - CUT.length()) + CUT;
    }
}
