package dev.switchboard.support;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;

/** Whether a client with these properties gets through to the gateway: an Admin client lists topics, or is refused. */
public final class AuthenticationProbe {

    private AuthenticationProbe() {
    }

    /** True when the topics are listed, false when authentication (SASL or TLS) is refused; anything else is thrown. */
    public static boolean listsTopics(Map<String, Object> clientProperties) throws Exception {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(props)) {
            admin.listTopics().names().get(15, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException) {
                return false;
            }
            throw e;
        }
    }
}
