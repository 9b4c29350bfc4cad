package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.config.ClientSaslConfig;
import dev.switchboard.config.OAuthBearerConfig;
import dev.switchboard.config.SecurityConfig;
import dev.switchboard.datapath.ClientSasl;
import dev.switchboard.support.AuthenticationProbe;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OAUTHBEARER at the gateway: Kafka's own login callback handler sends a token the test signs; the gateway checks it
 * against a JWKS file, with issuer, audience and expiry, and the token's subject is the principal. A token for
 * another audience, an expired one and one signed by another key are refused.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OAuthBearerTest {

    private static final String ISSUER = "https://idp.test";
    private static final String AUDIENCE = "kafka-gateway";

    @TempDir
    static Path dir;

    private RsaJsonWebKey key;
    private RsaJsonWebKey otherKey;
    private OAuthBearerConfig oauth;

    @BeforeAll
    void keys() throws Exception {
        key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("gateway-test");
        otherKey = RsaJwkGenerator.generateJwk(2048);
        otherKey.setKeyId("gateway-test");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        oauth = new OAuthBearerConfig(jwks.toUri().toString(), ISSUER, List.of(AUDIENCE), null, null);
    }

    @Test
    void aSignedTokenAuthenticatesAsItsSubjectAndOneForAnotherAudienceIsRefused(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster)
            throws Exception {
        String topic = "oauth-orders";
        cluster.createTopic(topic, 1, 1);
        SecurityConfig security = new SecurityConfig(new ClientSaslConfig(List.of("OAUTHBEARER"), null, null, oauth), List.of());
        try (GatewayFixture gateway = GatewayFixture.withSecurity(security, cluster)) {
            Map<String, Object> client = oauthClient(gateway, "oauth-app", token(key, "orders-app", AUDIENCE, 600));
            List<String> sent = Records.numbered(topic, 50);
            Map<String, Object> producerProps = new HashMap<>(client);
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
                assertThat(Records.failedSends(producer, topic, sent, 10)).isZero();
            }
            Map<String, Object> consumerProps = new HashMap<>(client);
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "oauth-readers");
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                Records.assertExactlyOnce(sent, Records.pollValues(consumer, sent.size(), Duration.ofSeconds(60)));
                assertThat(gateway.gateway().status().clients().stream().flatMap(c -> c.details().stream())
                        .map(connection -> connection.principal())).isNotEmpty().allMatch("User:orders-app"::equals);
            }
            assertThat(AuthenticationProbe.listsTopics(oauthClient(gateway, "oauth-other-audience",
                    token(key, "orders-app", "another-service", 600)))).isFalse();
            assertThat(AuthenticationProbe.listsTopics(oauthClient(gateway, "oauth-other-key",
                    token(otherKey, "orders-app", AUDIENCE, 600)))).isFalse();
        }
    }

    @Test
    void anExpiredTokenIsRefusedAsABadToken() throws Exception {
        // Kafka's client will not send an expired token, so the exchange is driven here, as RFC 7628 has it.
        GatewaySasl sasl = new GatewaySasl(new ClientSaslConfig(List.of("OAUTHBEARER"), null, null, oauth), new ScramUsers());
        ClientSasl.Exchange exchange = sasl.begin("OAUTHBEARER", "127.0.0.1");
        String first = "n,,\u0001auth=Bearer " + token(key, "orders-app", AUDIENCE, -600) + "\u0001\u0001";
        byte[] error = exchange.evaluate(first.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(error, StandardCharsets.UTF_8)).contains("invalid_token");
        assertThat(exchange.complete()).isFalse();
        assertThatThrownBy(() -> exchange.evaluate(new byte[]{1}))
                .isInstanceOfSatisfying(ClientSasl.Refused.class, refused -> assertThat(refused.cause()).isEqualTo("bad_token"));
    }

    private static Map<String, Object> oauthClient(GatewayFixture gateway, String clientId, String token) throws Exception {
        Path file = dir.resolve(clientId + ".jwt");
        Files.writeString(file, token);
        String url = file.toUri().toString();
        String allowed = System.getProperty(OAuthBearerTokens.ALLOWED_URLS);
        System.setProperty(OAuthBearerTokens.ALLOWED_URLS, allowed == null || allowed.isBlank() ? url : allowed + "," + url);
        Map<String, Object> props = new HashMap<>(gateway.clientProperties(clientId));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, "OAUTHBEARER");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
        props.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS,
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler");
        props.put(SaslConfigs.SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, url);
        return props;
    }

    private static String token(RsaJsonWebKey signer, String subject, String audience, int expiresInSeconds) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(audience);
        claims.setSubject(subject);
        NumericDate now = NumericDate.now();
        claims.setIssuedAt(NumericDate.fromSeconds(now.getValue() - (expiresInSeconds < 0 ? 1200 : 0)));
        claims.setExpirationTime(NumericDate.fromSeconds(now.getValue() + expiresInSeconds));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(signer.getPrivateKey());
        jws.setKeyIdHeaderValue(signer.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }
}
