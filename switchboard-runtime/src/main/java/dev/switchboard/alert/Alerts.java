package dev.switchboard.alert;

/** Where an alert is raised. Never blocks and never throws: raising an alert must not hold up what raised it. */
@FunctionalInterface
public interface Alerts {

    /** Sends nowhere: for gateways and tests that need no alerts. */
    Alerts NONE = alert -> { };

    void fire(Alert alert);
}
