package io.gpuward.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect standalone worker in this JVM ({@code connect-runtime}), with plugins found by
 * {@code plugin.discovery=service_load} on the classpath: gpuward's Avro converter and Debezium's
 * JDBC sink. Its REST API listens on a free loopback port ({@link #restUrl()}).
 */
public final class ConnectWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectWorker.class);

  private final Connect<StandaloneHerder> connect;
  private final Path offsets;

  private ConnectWorker(Connect<StandaloneHerder> connect, Path offsets) {
    this.connect = connect;
    this.offsets = offsets;
  }

  /** Starts a worker against {@code bootstrapServers}; {@code extra} adds or overrides settings. */
  public static ConnectWorker start(String bootstrapServers, Map<String, String> extra) {
    Path offsets;
    try {
      offsets = Files.createTempFile("gpuward-connect-offsets", ".dat");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Connect offsets file", e);
    }
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("offset.storage.file.filename", offsets.toString());
    props.put("offset.flush.interval.ms", "1000");
    props.put("plugin.discovery", "service_load");
    props.put("listeners", "http://127.0.0.1:0");
    props.put("consumer.auto.offset.reset", "earliest");
    // The engine and the remediator write in transactions: land committed records only.
    props.put("consumer.isolation.level", "read_committed");
    props.put("consumer.max.poll.records", "500");
    props.putAll(extra);
    Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(props);
    log.info("Connect worker running, REST {}", connect.rest().advertisedUrl());
    return new ConnectWorker(connect, offsets);
  }

  /** The worker's REST API, e.g. {@code http://127.0.0.1:41234/}. */
  public String restUrl() {
    return connect.rest().advertisedUrl().toString();
  }

  /** Creates (or replaces) a connector and waits until the worker has accepted it. */
  public void putConnector(String name, Map<String, String> config) {
    FutureCallback<Herder.Created<ConnectorInfo>> cb = new FutureCallback<>();
    connect.herder().putConnectorConfig(name, config, true, cb);
    try {
      cb.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Connect refused connector " + name + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Connect did not create connector " + name + " in 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating connector " + name, e);
    }
  }

  /** Creates every connector in {@code configs}. */
  public void putConnectors(List<SinkTables.ConnectorConfig> configs) {
    configs.forEach(c -> putConnector(c.name(), c.config()));
  }

  /** The state of each task of connector {@code name} (e.g. RUNNING, FAILED). */
  public List<String> taskStates(String name) {
    return connect.herder().connectorStatus(name).tasks().stream()
        .map(t -> t.state() + (t.trace() == null ? "" : ": " + firstLine(t.trace())))
        .toList();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void close() {
    connect.stop();
    connect.awaitStop();
    try {
      Files.deleteIfExists(offsets);
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", offsets, e.getMessage());
    }
  }
}
