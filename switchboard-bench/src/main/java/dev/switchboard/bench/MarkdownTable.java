package dev.switchboard.bench;

import java.util.List;

/** A Markdown table that fits a terminal: a header, then rows; the first column left-aligned, the rest right. */
final class MarkdownTable {

    private final int columns;
    private final StringBuilder text = new StringBuilder();

    MarkdownTable(List<String> header) {
        columns = header.size();
        append(header);
        text.append("| --- |").append(" ---: |".repeat(columns - 1)).append('\n');
    }

    MarkdownTable row(List<String> cells) {
        if (cells.size() != columns) {
            throw new IllegalArgumentException("a row of " + cells.size() + " cells in a table of " + columns + " columns");
        }
        append(cells);
        return this;
    }

    String render() {
        return text.toString();
    }

    private void append(List<String> cells) {
        text.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
}
