package dev.switchboard.admin;

import dev.switchboard.gateway.Gateway;
import dev.switchboard.security.AdminRole;

/** Admin API tokens made straight at a gateway, as an admin would through the API. */
final class AdminTokensForTests {

    private AdminTokensForTests() {
    }

    static String admin(Gateway gateway) {
        return of(gateway, AdminRole.ADMIN);
    }

    static String of(Gateway gateway, AdminRole role) {
        return gateway.adminTokens().create(role.label() + "-for-tests", role, "tests").token();
    }
}
