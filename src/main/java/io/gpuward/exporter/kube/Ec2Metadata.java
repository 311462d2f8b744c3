package io.gpuward.exporter.kube;

import io.gpuward.kube.InstanceMetadata;
import io.gpuward.kube.KubeIds;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small EC2 instance metadata (IMDSv2) client: a session token from {@code PUT
 * /latest/api/token}, then one {@code GET} per value with the token. Short timeouts, no proxy, no
 * redirects, no IMDSv1 fallback. Off EC2 (nothing answers), {@link #fetch()} is empty and the
 * inventory comes from the Node object alone.
 *
 * <p>In a pod, IMDSv2 answers only within the instance's hop limit: run the exporter with {@code
 * hostNetwork: true} or raise the hop limit to 2.
 */
public final class Ec2Metadata {
  private static final Logger log = LoggerFactory.getLogger(Ec2Metadata.class);

  /** The link-local metadata endpoint. */
  public static final URI DEFAULT_BASE = URI.create("http://169.254.169.254");

  /** Connect and request timeout by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

  /** Header that asks for a token and sets its lifetime. */
  public static final String TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";

  /** Header that carries the token on every metadata request. */
  public static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";

  static final String TOKEN_PATH = "/latest/api/token";
  static final String INSTANCE_ID = "/latest/meta-data/instance-id";
  static final String INSTANCE_TYPE = "/latest/meta-data/instance-type";
  static final String ZONE = "/latest/meta-data/placement/availability-zone";
  static final String AMI_ID = "/latest/meta-data/ami-id";
  static final String ASG_NAME = "/latest/meta-data/tags/instance/aws:autoscaling:groupName";

  private static final int TOKEN_TTL_SECONDS = 300;
  private static final int MAX_VALUE_BYTES = 4096;

  private final URI base;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * A client for the metadata service at {@code base}.
   *
   * @param base e.g. {@link #DEFAULT_BASE}; a local stub in tests
   * @param timeout connect and per-request timeout
   */
  public Ec2Metadata(URI base, Duration timeout) {
    this.base = Objects.requireNonNull(base, "base");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("IMDS timeout must be positive: " + timeout);
    }
    String scheme = base.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("IMDS base URL must be http(s): " + base);
    }
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .proxy(HttpClient.Builder.NO_PROXY)
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** The real endpoint with {@link #DEFAULT_TIMEOUT}. */
  public static Ec2Metadata defaults() {
    return new Ec2Metadata(DEFAULT_BASE, DEFAULT_TIMEOUT);
  }

  /** The base URL. */
  public URI base() {
    return base;
  }

  /**
   * Reads the instance's metadata. Empty when no token could be had (not on EC2, IMDS disabled or
   * out of hops); a value the service does not have (404) or fails to give is null.
   */
  public Optional<InstanceMetadata> fetch() {
    String token;
    try {
      HttpResponse<InputStream> r =
          http.send(
              request(TOKEN_PATH)
                  .header(TOKEN_TTL_HEADER, Integer.toString(TOKEN_TTL_SECONDS))
                  .PUT(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      String body = read(r);
      if (r.statusCode() != 200 || body == null || body.isBlank()) {
        log.warn(
            "IMDS at {} refused a session token (HTTP {}); inventory from the Node object only",
            base,
            r.statusCode());
        return Optional.empty();
      }
      token = body.strip();
    } catch (IOException e) {
      log.info(
          "no EC2 instance metadata at {} ({}); inventory from the Node object only",
          base,
          e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    InstanceMetadata md =
        new InstanceMetadata(
            get(INSTANCE_ID, token),
            get(INSTANCE_TYPE, token),
            get(ZONE, token),
            get(AMI_ID, token),
            get(ASG_NAME, token));
    log.info(
        "IMDS at {}: instance {} type {} zone {} ami {} asg {} (not yet validated)",
        base,
        KubeIds.printable(md.instanceId()),
        KubeIds.printable(md.instanceType()),
        KubeIds.printable(md.zone()),
        KubeIds.printable(md.amiId()),
        KubeIds.printable(md.asgName()));
    return Optional.of(md);
  }

  private String get(String path, String token) {
    try {
      HttpResponse<InputStream> r =
          http.send(
              request(path).header(TOKEN_HEADER, token).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      String body = read(r);
      if (r.statusCode() == 404) {
        log.debug("IMDS {} not available (404)", path);
        return null;
      }
      if (r.statusCode() != 200) {
        log.warn("IMDS {} answered HTTP {}; left empty", path, r.statusCode());
        return null;
      }
      if (body == null) {
        log.warn("IMDS {} answered more than {} bytes; left empty", path, MAX_VALUE_BYTES);
        return null;
      }
      String v = body.strip();
      return v.isEmpty() ? null : v;
    } catch (IOException e) {
      log.warn("IMDS {} failed: {}; left empty", path, e.toString());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
  }

  /** The body as UTF-8, or null when it is longer than {@link #MAX_VALUE_BYTES}. */
  private static String read(HttpResponse<InputStream> r) throws IOException {
    try (InputStream in = r.body()) {
      byte[] b = in.readNBytes(MAX_VALUE_BYTES + 1);
      return b.length > MAX_VALUE_BYTES ? null : new String(b, StandardCharsets.UTF_8);
    }
  }
}
