package dev.switchboard.bench;

/** Goals and whether this run met them, as a Markdown list. Checked and printed, never asserted in a test. */
final class Goals {

    private final StringBuilder lines = new StringBuilder();
    private boolean allMet = true;

    void check(String goal, boolean met, String measured) {
        allMet &= met;
        lines.append(String.format("- %s %s: %s%n", met ? "MET " : "MISSED", goal, measured));
    }

    boolean allMet() {
        return allMet;
    }

    String render() {
        return lines.toString();
    }
}
