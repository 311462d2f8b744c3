package io.gpuward.contract;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;

/** A fast, bounded check that a Kafka cluster answers, for roles to fail early and clearly. */
public final class KafkaConnectivity {

  private KafkaConnectivity() {}

  /**
   * Asks the cluster at {@code bootstrapServers} for its id, giving up after {@code timeout}.
   *
   * @return the cluster id
   * @throws BrokerUnreachableException when no broker answers in time, or the address is invalid
   */
  public static String check(String bootstrapServers, Duration timeout) {
    return check(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), timeout);
  }

  /**
   * Like {@link #check(String, Duration)} with the role's client settings ({@code kafka.*}: TLS,
   * SASL), so a secured cluster is checked the way the role will connect to it.
   */
  public static String check(Map<String, Object> clientProps, Duration timeout) {
    String bootstrapServers =
        String.valueOf(clientProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    Map<String, Object> props = new HashMap<>(clientProps);
    props.putAll(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            ms,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            ms,
            AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
            (long) Math.min(ms, 5000),
            AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG,
            (long) Math.min(ms, 5000),
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
            500L,
            AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG,
            500L,
            AdminClientConfig.CLIENT_ID_CONFIG,
            "gpuward-connectivity-check"));
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (KafkaException e) {
      // Unresolvable or malformed bootstrap addresses fail here, before any connection.
      throw new BrokerUnreachableException(bootstrapServers, timeout, e);
    }
    try {
      return admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(ms))
          .clusterId()
          .get(ms + 1000L, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new BrokerUnreachableException(bootstrapServers, timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerUnreachableException(bootstrapServers, timeout, e);
    } finally {
      admin.close(Duration.ZERO);
    }
  }
}
