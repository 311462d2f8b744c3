package io.gpuward.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.SchemaRegistryException;
import io.gpuward.testing.SelfSignedTls;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client over https with a private CA trust store and HTTP basic auth, configured from
 * gpuward settings (the password read from a file through a config provider).
 */
class RegistrySecurityTest {
  @TempDir static Path keys;
  @TempDir Path dir;
  static SelfSignedTls tls;
  static Path truststore;
  HttpsServer server;
  String url;

  /** One key pair for the class: each keytool run is a JVM start. */
  @BeforeAll
  static void makeKeys() throws Exception {
    tls = SelfSignedTls.create(keys);
    truststore = tls.truststore();
  }

  @BeforeEach
  void startHttpsRegistry() throws Exception {
    String expected =
        "Basic " + Base64.getEncoder().encodeToString("gw:reg-pw".getBytes(StandardCharsets.UTF_8));
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls.server()));
    server.createContext(
        "/subjects",
        ex -> {
          try (ex) {
            boolean ok = expected.equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body =
                (ok ? "[\"probe-value\"]" : "{\"error_code\":401,\"message\":\"Unauthorized\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(ok ? 200 : 401, body.length);
            ex.getResponseBody().write(body);
          }
        });
    server.start();
    url = "https://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  GpuwardConfig settings(String userInfoValue) throws Exception {
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(secrets.resolve("user.info"), "gw:reg-pw");
    Files.writeString(secrets.resolve("truststore.password"), SelfSignedTls.TRUST_PASSWORD);
    Map<String, Object> m = new java.util.HashMap<>();
    m.put(GpuwardConfig.REGISTRY_URL, url);
    m.put("config.providers", "dir");
    m.put(
        "config.providers.dir.class",
        "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
    m.put(GpuwardConfig.REGISTRY_TRUSTSTORE, truststore.toString());
    m.put(GpuwardConfig.REGISTRY_TRUSTSTORE_PASSWORD, "${dir:" + secrets + ":truststore.password}");
    if (userInfoValue != null) {
      m.put(
          GpuwardConfig.REGISTRY_BASIC_AUTH, userInfoValue.replace("SECRETS", secrets.toString()));
    }
    return new GpuwardConfig(m);
  }

  @Test
  void shouldTrustThePrivateCaAndAuthenticate() throws Exception {
    var client = Registries.client(settings("${dir:SECRETS:user.info}"));
    assertThat(client.subjects()).containsExactly("probe-value");
  }

  @Test
  void shouldBeRefusedWithoutCredentials() throws Exception {
    var client = Registries.client(settings(null));
    assertThatThrownBy(client::subjects)
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("401");
  }

  @Test
  void shouldNotTrustTheRegistryWithoutTheTrustStore() {
    var client =
        Registries.client(
            new GpuwardConfig(
                Map.of(
                    GpuwardConfig.REGISTRY_URL,
                    url,
                    GpuwardConfig.REGISTRY_BASIC_AUTH,
                    "gw:reg-pw")));
    assertThatThrownBy(client::subjects)
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("cannot reach schema registry");
  }
}
