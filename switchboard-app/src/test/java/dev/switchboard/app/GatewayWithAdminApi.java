package dev.switchboard.app;

import java.io.IOException;

import dev.switchboard.admin.AdminServer;
import dev.switchboard.config.AdminConfig;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.security.AdminRole;
import dev.switchboard.support.GatewayFixture;

/** A gateway fixture with its admin API on a free port, for running the {@code switchboard} command against it. */
final class GatewayWithAdminApi implements AutoCloseable {

    private final GatewayFixture fixture;
    private final AdminServer admin;
    private final String token;

    GatewayWithAdminApi(GatewayFixture fixture) {
        this.fixture = fixture;
        AdminServer started;
        try {
            started = AdminServer.start(fixture.gateway(), new AdminConfig("127.0.0.1", 0));
        } catch (RuntimeException e) {
            fixture.close();
            throw e;
        }
        this.admin = started;
        this.token = fixture.gateway().adminTokens().create("cli-tests", AdminRole.ADMIN, "tests").token();
    }

    GatewayFixture fixture() {
        return fixture;
    }

    Gateway gateway() {
        return fixture.gateway();
    }

    String adminUrl() {
        return "http://127.0.0.1:" + admin.port();
    }

    /** {@code switchboard <args> --admin <this gateway's admin API> --token <an admin token>} as a process of its own. */
    SwitchboardProcess run(String... args) throws IOException, InterruptedException {
        return runWithInput("", args);
    }

    /** As {@link #run}, with {@code stdin} on the process's standard input. */
    SwitchboardProcess runWithInput(String stdin, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 4];
        System.arraycopy(args, 0, command, 0, args.length);
        command[args.length] = "--admin";
        command[args.length + 1] = adminUrl();
        command[args.length + 2] = "--token";
        command[args.length + 3] = token;
        return SwitchboardProcess.runWithInput(stdin, command);
    }

    @Override
    public void close() {
        admin.close();
        fixture.close();
    }
}
