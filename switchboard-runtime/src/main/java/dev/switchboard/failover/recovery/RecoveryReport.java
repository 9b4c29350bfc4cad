package dev.switchboard.failover.recovery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Application by application, how clients came back after one cluster switch, and the recovery time (RTO).
 *
 * <p>Serialises to JSON with a mapper that writes dates as ISO strings (as the admin API's does), and reads
 * back from it, so one instance can {@link #merge merge} the reports of the others.
 *
 * @param epoch                the switch's epoch
 * @param from                 the cluster clients left
 * @param to                   the cluster clients moved to
 * @param planned              a planned switch (with catch-up) rather than a failover
 * @param requestedBy          who asked for it, as the audit log names them
 * @param requestedAt          when the switch started; every duration here is measured from it
 * @param connectionsClosedAt  when the gateway closed client connections; null until it did
 * @param connectionsClosed    how many connections it closed then
 * @param completedAt          when the new cluster became active; null until then
 * @param applications         those running at the switch (by name), then the others known at the start, then those
 *                             seen since
 * @param notBack              display names of the applications running at the switch that are not back yet
 * @param wave1Back            every Wave 1 application running at the switch is back (false when none was)
 * @param rtoScope             which applications {@code rtoMillis} is measured over
 * @param rtoMillis            from the request until the last application in scope was back; null until then
 *                             and when there is nothing in scope
 * @param note                 what an operator should know to read the RTO right; null when nothing
 * @param decision             who or what decided the switch, when the outage was detected and the veto window;
 *                             null when not recorded
 */
public record RecoveryReport(long epoch, String from, String to, boolean planned, String requestedBy,
                             Instant requestedAt, Instant connectionsClosedAt, int connectionsClosed,
                             Instant completedAt, List<ApplicationRecovery> applications, List<String> notBack,
                             boolean wave1Back, RtoScope rtoScope, Long rtoMillis, String note,
                             SwitchDecision decision) {

    public RecoveryReport {
        applications = List.copyOf(applications);
        notBack = List.copyOf(notBack);
    }

    /** Works out {@code notBack}, {@code wave1Back}, the scope, the RTO and the note from the applications. */
    static RecoveryReport of(long epoch, String from, String to, boolean planned, String requestedBy,
                             Instant requestedAt, Instant connectionsClosedAt, int connectionsClosed,
                             Instant completedAt, List<ApplicationRecovery> applications, SwitchDecision decision) {
        List<ApplicationRecovery> running = applications.stream().filter(app -> app.atSwitch() == AtSwitch.RUNNING).toList();
        List<ApplicationRecovery> wave1 = running.stream().filter(ApplicationRecovery::wave1).toList();
        RtoScope scope = !wave1.isEmpty() ? RtoScope.WAVE1 : !running.isEmpty() ? RtoScope.ALL_APPLICATIONS : RtoScope.NONE;
        List<ApplicationRecovery> inScope = scope == RtoScope.WAVE1 ? wave1 : running;
        boolean allInScopeBack = !inScope.isEmpty() && inScope.stream().allMatch(ApplicationRecovery::back);
        Long rto = allInScopeBack
                ? inScope.stream().map(ApplicationRecovery::recoveredAfterMillis).max(Long::compare).orElseThrow()
                : null;
        List<String> notBack = running.stream().filter(app -> !app.back()).map(app -> app.key().displayName()).toList();
        return new RecoveryReport(epoch, from, to, planned, requestedBy, requestedAt, connectionsClosedAt,
                connectionsClosed, completedAt, applications, notBack, scope == RtoScope.WAVE1 && allInScopeBack,
                scope, rto, noteFor(scope), decision);
    }

    private static String noteFor(RtoScope scope) {
        switch (scope) {
            case ALL_APPLICATIONS:
                return "no wave 1 pattern matched an application running at the switch; RTO is measured over all of them";
            case NONE:
                return "no application was running when the switch started; there is no RTO to measure";
            default:
                return null;
        }
    }

    /**
     * One report from the reports of several gateway instances on the same switch, each of which saw only its
     * own clients. Per application: running if it was running on any instance, new only if it was new on every
     * instance that saw it; the union of its roles, each with its earliest success and the failures of all instances. The switch started at the earliest request, closed
     * connections at the earliest close (adding up the counts), and completed when the last instance did. The
     * RTO is worked out again from the merged applications.
     *
     * @throws IllegalArgumentException for no reports, or reports of different epochs
     */
    public static RecoveryReport merge(List<RecoveryReport> reports) {
        if (reports.isEmpty()) {
            throw new IllegalArgumentException("no reports to merge");
        }
        RecoveryReport first = reports.get(0);
        for (RecoveryReport report : reports) {
            if (report.epoch() != first.epoch()) {
                throw new IllegalArgumentException("cannot merge reports of switch epochs " + first.epoch()
                        + " and " + report.epoch());
            }
        }
        Instant requestedAt = earliest(reports.stream().map(RecoveryReport::requestedAt));
        Instant connectionsClosedAt = earliest(reports.stream().map(RecoveryReport::connectionsClosedAt));
        int connectionsClosed = reports.stream().mapToInt(RecoveryReport::connectionsClosed).sum();
        boolean allCompleted = reports.stream().allMatch(report -> report.completedAt() != null);
        Instant completedAt = allCompleted
                ? reports.stream().map(RecoveryReport::completedAt).max(Instant::compareTo).orElseThrow()
                : null;

        Map<ApplicationKey, List<ApplicationRecovery>> byApplication = new LinkedHashMap<>();
        reports.stream().flatMap(report -> report.applications().stream())
                .forEach(app -> byApplication.computeIfAbsent(app.key(), key -> new ArrayList<>()).add(app));
        List<ApplicationRecovery> applications = new ArrayList<>();
        byApplication.forEach((key, seen) -> applications.add(mergeApplication(key, seen, requestedAt)));
        // Running applications first, then the other known ones, as in a single instance's report.
        applications.sort(Comparator.comparing(ApplicationRecovery::atSwitch));

        return of(first.epoch(), first.from(), first.to(), first.planned(), first.requestedBy(), requestedAt,
                connectionsClosedAt, connectionsClosed, completedAt, applications,
                reports.stream().map(RecoveryReport::decision).filter(Objects::nonNull).findFirst().orElse(null));
    }

    private static ApplicationRecovery mergeApplication(ApplicationKey key, List<ApplicationRecovery> seen,
                                                        Instant requestedAt) {
        AtSwitch atSwitch = seen.stream().map(ApplicationRecovery::atSwitch).min(Comparator.naturalOrder()).orElseThrow();
        // What a new application has done since the switch is not a role it must do again elsewhere; but its success
        // there, through another instance, is a success all the same.
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        seen.stream().filter(app -> atSwitch == AtSwitch.NEW || app.atSwitch() != AtSwitch.NEW)
                .forEach(app -> roles.addAll(app.roleSet()));
        List<RoleRecovery> merged = new ArrayList<>();
        for (Role role : roles) {
            List<RoleRecovery> sides = seen.stream().map(app -> app.role(role)).filter(Objects::nonNull).toList();
            Instant backAt = earliest(sides.stream().map(RoleRecovery::backAt));
            long failures = sides.stream().mapToLong(RoleRecovery::failures).sum();
            String lastError = sides.stream().map(RoleRecovery::lastError).filter(Objects::nonNull).findFirst().orElse(null);
            merged.add(new RoleRecovery(role, backAt, failures, lastError));
        }
        return ApplicationRecovery.of(key, seen.stream().anyMatch(ApplicationRecovery::wave1), atSwitch, merged,
                earliest(seen.stream().map(ApplicationRecovery::reconnectedAt)), requestedAt);
    }

    private static Instant earliest(Stream<Instant> instants) {
        Optional<Instant> earliest = instants.filter(Objects::nonNull).min(Instant::compareTo);
        return earliest.orElse(null);
    }
}
