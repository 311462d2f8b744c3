package io.gpuward.remediation.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;

/**
 * Builds the fabric8 client the remediator's actuator needs.
 *
 * <p>The one setting that matters: {@code requestRetryBackoffLimit(0)}. By default fabric8 retries
 * a 429 or 5xx on its own (about 20 s, 12 requests), which hides PodDisruptionBudget refusals from
 * {@link KubernetesClusterActuator#drain} and makes its deadline meaningless; the actuator runs its
 * own bounded backoff instead. Connection and request timeouts are bounded so that no call can
 * outlive a drain deadline by much. Authentication and TLS come from the usual sources (in-cluster
 * service account, then kubeconfig) and need nothing special; the HTTP transport is the JDK client
 * ({@code kubernetes-httpclient-jdk}).
 *
 * <pre>{@code
 * KubernetesClient kube = KubernetesClients.create();   // in cluster, or ~/.kube/config
 * ClusterPort cluster = new KubernetesClusterActuator(kube, Clock.systemUTC(), Sleeper.system(),
 *     KubernetesActuatorSettings.defaults());
 * }</pre>
 */
public final class KubernetesClients {

  /** Default TCP connect timeout. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default per-request timeout. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private KubernetesClients() {}

  /** A client from the auto-detected configuration (service account or kubeconfig). */
  public static KubernetesClient create() {
    return create(Config.autoConfigure(null));
  }

  /** A client from {@code base} with the actuator's retry and timeout settings applied. */
  public static KubernetesClient create(Config base) {
    return create(base, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
  }

  /**
   * A client from {@code base} with fabric8's own retries off and the given timeouts. {@code base}
   * is not modified.
   */
  public static KubernetesClient create(
      Config base, Duration connectTimeout, Duration requestTimeout) {
    return new KubernetesClientBuilder()
        .withConfig(actuatorConfig(base, connectTimeout, requestTimeout))
        .build();
  }

  /** {@code base} with {@code requestRetryBackoffLimit=0} and the given timeouts. */
  public static Config actuatorConfig(
      Config base, Duration connectTimeout, Duration requestTimeout) {
    return new ConfigBuilder(base)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(Math.toIntExact(connectTimeout.toMillis()))
        .withRequestTimeout(Math.toIntExact(requestTimeout.toMillis()))
        .build();
  }
}
