package dev.switchboard.chaos;

import java.util.Objects;
import java.util.function.Function;

/**
 * A kind of fault a rule can make: its name in rules ({@code broken-broker}), one line on what clients feel, and how
 * its params become a {@link Fault}. A type that {@code needsTopicScope} acts only on chosen topics, so a rule
 * of it must name them in {@code scope.topic}. The parser refuses params it does not know (see {@link Params#finish()}).
 */
public record FaultType(String name, String summary, boolean needsTopicScope, Function<Params, Fault> parser) {

    public FaultType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parser, "parser");
    }

    public FaultType(String name, String summary, Function<Params, Fault> parser) {
        this(name, summary, false, parser);
    }

    public Fault parse(Params params) {
        Fault fault = parser.apply(params);
        params.finish();
        return fault;
    }
}
