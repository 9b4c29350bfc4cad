package dev.switchboard.chaos;

/** A chaos rule that cannot be applied. {@code field} is its dotted path in the rule, such as {@code params.delay}. */
public final class InvalidRule extends RuntimeException {

    private final String field;

    public InvalidRule(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The same problem seen from where the rule sits, such as {@code chaos.rules[2]}. */
    public InvalidRule under(String parent) {
        return new InvalidRule(parent + "." + field, getMessage().substring(field.length() + 2));
    }
}
