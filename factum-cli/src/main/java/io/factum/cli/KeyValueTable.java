package io.factum.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Two aligned columns, name and value, for reports ({@code stats}, {@code metadata}). Not thread-safe. */
final class KeyValueTable {
    private final List<String[]> rows = new ArrayList<>();

    KeyValueTable row(String name, String value) {
        rows.add(new String[] {name, value});
        return this;
    }

    void print(PrintWriter out, int widthColumns) {
        int nameWidth = rows.stream().mapToInt(row -> row[0].length()).max().orElse(0);
        int valueWidth = Math.max(10, widthColumns - nameWidth - 2);
        for (String[] row : rows) {
            String padding = " ".repeat(nameWidth - row[0].length() + 2);
            out.println(row[0] + padding + EventTable.cut(row[1], valueWidth));
        }
        out.flush();
    }
}
