package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApplicationPatternTest {


    @Test
    void aBareGlobMatchesTheClientId() {
        ApplicationPattern pattern = ApplicationPattern.parse("orders-*");
        assertThat(pattern.field()).isEqualTo(ApplicationPattern.Field.CLIENT_ID);
        assertThat(pattern.matches("orders-api", null)).isTrue();
        assertThat(pattern.matches("billing", null)).isFalse();
    }

    @Test
    void clientIdAndPrincipalPatternsLookAtTheirOwnField() {
        assertThat(ApplicationPattern.parse("clientId:*-api").matches("orders-api", "User:alice")).isTrue();
        assertThat(ApplicationPattern.parse("clientId:User:alice").matches("orders-api", "User:alice")).isFalse();
        assertThat(ApplicationPattern.parse("principal:User:alice").matches("orders-api", "User:alice")).isTrue();
        assertThat(ApplicationPattern.parse("principal:*").matches("orders-api", null)).isFalse();
        assertThat(ApplicationPattern.parse("principal:orders-api").matches("orders-api", "User:alice")).isFalse();
    }

    @Test
    void onlyTheStarIsAWildcard() {
        assertThat(ApplicationPattern.parse("orders.api").matches("orders-api", null)).isFalse();
        assertThat(ApplicationPattern.parse("o*s-*i").matches("orders-api", null)).isTrue();
        assertThat(ApplicationPattern.parse("orders").matches("orders-api", null)).isFalse();
    }

    @Test
    void badPatternsAreRefusedByName() {
        assertThatThrownBy(() -> ApplicationPattern.parse("user:alice"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("wave 1 pattern 'user:alice' has an unknown prefix; use clientId:<glob>, principal:<glob> or a bare client id glob");
        assertThatThrownBy(() -> ApplicationPattern.parse("principal:"))
                .hasMessage("wave 1 pattern 'principal:' has nothing after its prefix");
        assertThatThrownBy(() -> ApplicationPattern.parse(" orders"))
                .hasMessage("wave 1 pattern ' orders' has leading or trailing whitespace");
        assertThatThrownBy(() -> ApplicationPattern.parse("")).hasMessage("wave 1 pattern '' is empty");
    }

    @Test
    void printsAsWritten() {
        assertThat(ApplicationPattern.parse("orders-*")).hasToString("clientId:orders-*");
        assertThat(ApplicationPattern.parse("principal:User:*")).hasToString("principal:User:*");
    }
}
