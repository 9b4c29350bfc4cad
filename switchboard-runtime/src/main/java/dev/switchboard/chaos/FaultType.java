package dev.switchboard.chaos;

import java.util.Objects;
import java.util.function.Function;

/**
 * A kind of fault a rule can make: its name in rules ({@code broken-broker}), one line on what clients feel, what it
 * does with {@code scope.topic}, and how its params become a {@link Fault}. The parser refuses params it does not
 * know (see {@link Params#finish()}).
 */
public record FaultType(String name, String summary, TopicScope topicScope, Function<Params, Fault> parser) {

    /** Whether a rule of a type names topics in {@code scope.topic}. */
    public enum TopicScope {
        /** Chosen topics, or every topic when the rule names none. */
        OPTIONAL,
        /** Chosen topics only: a rule must name them. */
        REQUIRED,
        /** The requests it acts on name no topic, so a topic scope would silently never match: refused. */
        REFUSED
    }

    public FaultType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicScope, "topicScope");
        Objects.requireNonNull(parser, "parser");
    }

    public FaultType(String name, String summary, Function<Params, Fault> parser) {
        this(name, summary, TopicScope.OPTIONAL, parser);
    }

    public Fault parse(Params params) {
        Fault fault = parser.apply(params);
        params.finish();
        return fault;
    }
}
