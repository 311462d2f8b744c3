package io.gpuward.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for localhost made with the JDK's keytool, the server's TLS context and
 * a client context that trusts only it; {@code cert} is the PEM file a client can be given, {@code
 * truststore} a PKCS12 trust store holding only that certificate (password {@link
 * #TRUST_PASSWORD}).
 */
public record SelfSignedTls(SSLContext server, SSLContext client, Path cert, Path truststore) {
  public static final String TRUST_PASSWORD = "trust-pw";

  public static SelfSignedTls create(Path dir) throws Exception {
    Path keystore = dir.resolve("server.p12");
    Path cert = dir.resolve("server.pem");
    keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "server-pw");
    keytool(
        "-exportcert",
        "-alias",
        "server",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "server-pw",
        "-rfc",
        "-file",
        cert.toString());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "server-pw".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "server-pw".toCharArray());
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server-ca", ks.getCertificate("server"));
    Path truststore = dir.resolve("trust.p12");
    try (OutputStream out = Files.newOutputStream(truststore)) {
      trust.store(out, TRUST_PASSWORD.toCharArray());
    }
    return new SelfSignedTls(server, client, cert, truststore);
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
  }
}
