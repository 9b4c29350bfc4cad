package dev.switchboard.config;

import java.util.regex.Pattern;

/**
 * One Wave 1 pattern: which applications must be back before the recovery time is known.
 *
 * <p>Written {@code clientId:<glob>}, {@code principal:<glob>}, or a bare {@code <glob>} meaning the client id.
 * {@code *} matches any run of characters, everything else matches itself. A principal pattern never matches
 * an application without a principal.
 *
 * @param field which part of the application's key the glob is matched against
 * @param glob  the glob as written, without its prefix
 */
public record ApplicationPattern(Field field, String glob) {

    /** The part of an application's identity a pattern looks at. */
    public enum Field { CLIENT_ID, PRINCIPAL }

    private static final String CLIENT_ID_PREFIX = "clientId:";
    private static final String PRINCIPAL_PREFIX = "principal:";

    public ApplicationPattern {
        if (field == null) {
            throw new IllegalArgumentException("field is required");
        }
        if (glob == null || glob.isEmpty()) {
            throw new IllegalArgumentException("glob is required");
        }
    }

    /**
     * Reads a pattern as an operator writes it.
     *
     * @throws IllegalArgumentException naming the pattern and what is wrong with it
     */
    public static ApplicationPattern parse(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("wave 1 pattern '" + pattern + "' is empty");
        }
        if (!pattern.equals(pattern.strip())) {
            throw new IllegalArgumentException("wave 1 pattern '" + pattern + "' has leading or trailing whitespace");
        }
        Field field;
        String glob;
        if (pattern.startsWith(CLIENT_ID_PREFIX)) {
            field = Field.CLIENT_ID;
            glob = pattern.substring(CLIENT_ID_PREFIX.length());
        } else if (pattern.startsWith(PRINCIPAL_PREFIX)) {
            field = Field.PRINCIPAL;
            glob = pattern.substring(PRINCIPAL_PREFIX.length());
        } else if (pattern.contains(":")) {
            // Most likely a misspelt prefix ("clientid:", "user:"); matching it as a client id would silently match nothing.
            throw new IllegalArgumentException("wave 1 pattern '" + pattern
                    + "' has an unknown prefix; use clientId:<glob>, principal:<glob> or a bare client id glob");
        } else {
            field = Field.CLIENT_ID;
            glob = pattern;
        }
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("wave 1 pattern '" + pattern + "' has nothing after its prefix");
        }
        return new ApplicationPattern(field, glob);
    }

    /** @param principal null for an application without one */
    public boolean matches(String clientId, String principal) {
        String value = field == Field.CLIENT_ID ? clientId : principal;
        return value != null && regex().matcher(value).matches();
    }

    @Override
    public String toString() {
        return (field == Field.CLIENT_ID ? CLIENT_ID_PREFIX : PRINCIPAL_PREFIX) + glob;
    }

    // Compiled on each use: patterns are matched once per application, never on the data path.
    private Pattern regex() {
        StringBuilder regex = new StringBuilder();
        for (String literal : glob.split("\\*", -1)) {
            if (regex.length() > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(literal));
        }
        return Pattern.compile(regex.toString());
    }
}
