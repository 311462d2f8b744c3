package io.gpuward.exporter.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.SignalSource;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.KubeIds;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exporter's Kubernetes side as one {@link SignalSource}: the node's own Node, Events and Pods
 * ({@link NodeWatcher}) and its inventory ({@link InventoryCollector}, from the Node object and EC2
 * instance metadata), published through the exporter's buffered sink.
 */
public final class KubeSignalSource implements SignalSource {
  private static final Logger log = LoggerFactory.getLogger(KubeSignalSource.class);

  private final String node;
  private final Clock clock;
  private final MeterRegistry meters;
  private final boolean imds;
  private final boolean inventory;
  private KubernetesClient client;
  private NodeWatcher watcher;

  /**
   * @param node the node the exporter runs on
   * @param imds whether to ask EC2 instance metadata (off when not on EC2)
   * @param inventory whether to publish the node's inventory too: only on clusters without {@code
   *     gpuward watch}, since any node could then write any node's inventory
   */
  public KubeSignalSource(
      String node, Clock clock, MeterRegistry meters, boolean imds, boolean inventory) {
    this.node = KubeIds.requireNodeName(node);
    this.clock = clock;
    this.meters = meters;
    this.imds = imds;
    this.inventory = inventory;
  }

  @Override
  public void start(TelemetrySink sink) {
    client = new KubernetesClientBuilder().build();
    watcher = new NodeWatcher(client, node, sink, clock, NodeWatcher.Options.defaults(), meters);
    if (inventory) {
      startInventory(sink);
    }
    watcher
        .start()
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                log.warn(
                    "kube watches for node={} not ready yet (they keep retrying): {}",
                    node,
                    e.getMessage());
              } else {
                log.info("kube watches for node={} listed and watching", node);
              }
            });
  }

  private void startInventory(TelemetrySink sink) {
    var collector =
        new InventoryCollector(
            client,
            node,
            sink,
            clock,
            InstanceTypeCatalog.load(),
            imds ? Ec2Metadata.defaults() : null,
            meters);
    watcher.addNodeListener(collector);
    collector.start();
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    if (client != null) {
      client.close();
    }
  }
}
