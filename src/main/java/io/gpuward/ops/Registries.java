package io.gpuward.ops;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The schema registry client a role's settings ask for: TLS trust store and basic auth. */
public final class Registries {
  private Registries() {}

  public static RegistryClient client(GpuwardConfig cfg) {
    SSLContext ssl =
        cfg.registryTruststore() == null
            ? null
            : sslContext(
                Path.of(cfg.registryTruststore()),
                cfg.registryTruststoreType(),
                cfg.registryTruststorePassword());
    return new RegistryClient(
        cfg.registryUrl(),
        RegistryClient.DEFAULT_CONNECT_TIMEOUT,
        RegistryClient.DEFAULT_REQUEST_TIMEOUT,
        ssl,
        cfg.registryBasicAuth());
  }

  /** An SSL context trusting the certificates of {@code truststore}. */
  public static SSLContext sslContext(Path truststore, String type, String password) {
    try (InputStream in = Files.newInputStream(truststore)) {
      KeyStore ks = KeyStore.getInstance(type);
      ks.load(in, password == null ? null : password.toCharArray());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read registry trust store " + truststore, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "registry trust store " + truststore + " is not usable: " + e.getMessage(), e);
    }
  }
}
