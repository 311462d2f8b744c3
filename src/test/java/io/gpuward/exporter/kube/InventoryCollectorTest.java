package io.gpuward.exporter.kube;

import static io.gpuward.exporter.kube.KubeObjects.INSTANCE_ID;
import static io.gpuward.exporter.kube.KubeObjects.NODE;
import static io.gpuward.exporter.kube.KubeObjects.gpuNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InventoryCollectorTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final InstanceTypeCatalog CATALOG = InstanceTypeCatalog.load();
  private static final Duration SHORT = Duration.ofMillis(500);

  private KubeMock mock;
  private KubernetesClient client;
  private ImdsStub imds;
  private final RecordingSink sink = new RecordingSink();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

  @BeforeEach
  void setUp() throws IOException {
    mock = new KubeMock();
    client = mock.client();
    imds = new ImdsStub();
  }

  @AfterEach
  void tearDown() {
    if (imds != null) {
      imds.close();
    }
    if (mock != null) {
      mock.close();
    }
  }

  private InventoryCollector collector(Ec2Metadata metadata) {
    return new InventoryCollector(client, NODE, sink, clock, CATALOG, metadata, meters);
  }

  private Ec2Metadata stub() {
    return new Ec2Metadata(imds.base(), SHORT);
  }

  private ImdsStub p5Metadata() {
    return imds.with("instance-id", INSTANCE_ID)
        .with("instance-type", "p5.48xlarge")
        .with("placement/availability-zone", "us-east-1a")
        .with("ami-id", "ami-0fedcba9876543210");
  }

  private Node create(Node n) {
    return client.nodes().resource(n).create();
  }

  private static Node cpuNodeWithNvidiaImage() {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(NODE)
        .withLabels(
            Map.of(
                "node.kubernetes.io/instance-type", "m5.large",
                "topology.kubernetes.io/zone", "us-east-1a",
                "karpenter.sh/nodepool", "cache-warm"))
        .endMetadata()
        .withNewSpec()
        .withProviderID("aws:///us-east-1a/i-0123456789abcdef0")
        .endSpec()
        .withNewStatus()
        .withNewNodeInfo()
        .withBootID("boot-1")
        .withOsImage("Bottlerocket OS 1.32.0 (aws-k8s-1.32-nvidia)")
        .endNodeInfo()
        .endStatus()
        .build();
  }

  private static Node without(Node n, Consumer<Node> change) {
    change.accept(n);
    return n;
  }

  @Test
  void shouldDescribeAP5NodeFromTheNodeAndImdsV2() {
    Node created = create(gpuNode(NODE, "boot-1", 8, 8));
    p5Metadata();

    collector(stub()).start();

    assertThat(sink.inventory()).hasSize(1);
    NodeInventory inv = sink.inventory().get(0);
    assertThat(inv.getNode()).isEqualTo(NODE);
    assertThat(inv.getInstanceId()).isEqualTo(INSTANCE_ID);
    assertThat(inv.getInstanceType()).isEqualTo("p5.48xlarge");
    assertThat(inv.getExpectedGpus()).isEqualTo(8);
    assertThat(inv.getGpuModel()).contains("H100");
    assertThat(inv.getMigCapable()).isTrue();
    assertThat(inv.getZone()).isEqualTo("us-east-1a");
    assertThat(inv.getNodegroup()).isEqualTo("p5-train");
    assertThat(inv.getImage()).isEqualTo("Bottlerocket OS 1.32.0 (aws-k8s-1.32-nvidia)");
    assertThat(inv.getAmiId()).isEqualTo("ami-0fedcba9876543210");
    assertThat(inv.getAsgName()).isNull();
    assertThat(inv.getDriverVersion()).isEqualTo("570.133.20");
    assertThat(inv.getRegistered()).isTrue();
    // created by the mock API server at wall-clock time, after this test's clock: not believed
    assertThat(Instant.parse(created.getMetadata().getCreationTimestamp())).isAfter(NOW);
    assertThat(inv.getLaunchedAt()).isEqualTo(NOW);
    assertThat(inv.getUpdatedAt()).isEqualTo(NOW);
    assertThat(inv.getLabels())
        .containsEntry("nvidia.com/gpu.count", "8")
        .doesNotContainKey("kubernetes.io/hostname");

    // IMDSv2: one token PUT with a TTL, then every GET carries the token.
    assertThat(imds.seen().get(0).method()).isEqualTo("PUT");
    assertThat(imds.seen().get(0).ttl()).isNotBlank();
    assertThat(imds.seen().subList(1, imds.seen().size()))
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.method()).isEqualTo("GET");
              assertThat(s.token()).isEqualTo(ImdsStub.TOKEN);
            });
    assertThat(imds.seen())
        .extracting(ImdsStub.Seen::path)
        .contains("/latest/meta-data/tags/instance/aws:autoscaling:groupName");
  }

  @Test
  void shouldTakeTheAsgFromInstanceTagsWhenMetadataExposesThem() {
    create(gpuNode(NODE, "boot-1", 8, 8));
    p5Metadata().with("tags/instance/aws:autoscaling:groupName", "eks-p5-train-20260301");

    collector(stub()).start();

    assertThat(sink.inventory().get(0).getAsgName()).isEqualTo("eks-p5-train-20260301");
  }

  @Test
  void shouldExpectNoGpusForAnNvidiaImageOnACpuInstanceType() {
    create(cpuNodeWithNvidiaImage());

    collector(null).start();

    NodeInventory inv = sink.inventory().get(0);
    assertThat(inv.getInstanceType()).isEqualTo("m5.large");
    assertThat(inv.getImage()).contains("nvidia");
    assertThat(inv.getExpectedGpus()).isZero();
    assertThat(inv.getGpuModel()).isNull();
    assertThat(inv.getMigCapable()).isFalse();
    assertThat(inv.getNodegroup()).isEqualTo("cache-warm");
    assertThat(inv.getInstanceId()).isEqualTo("i-0123456789abcdef0");
  }

  @Test
  void shouldDescribeTheNodeAloneWhenNoImdsAnswers() throws IOException {
    create(gpuNode(NODE, "boot-1", 8, 8));
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }

    collector(new Ec2Metadata(URI.create("http://127.0.0.1:" + closedPort), SHORT)).start();

    NodeInventory inv = sink.inventory().get(0);
    assertThat(inv.getInstanceId()).isEqualTo(INSTANCE_ID);
    assertThat(inv.getInstanceType()).isEqualTo("p5.48xlarge");
    assertThat(inv.getZone()).isEqualTo("us-east-1a");
    assertThat(inv.getExpectedGpus()).isEqualTo(8);
    // EKS puts the AMI id in the node group image label.
    assertThat(inv.getAmiId()).isEqualTo("ami-0123456789abcdef0");
    assertThat(inv.getAsgName()).isNull();
  }

  @Test
  void shouldDescribeTheNodeAloneWhenImdsRefusesATokenAndNeverFallBackToImdsV1() {
    create(gpuNode(NODE, "boot-1", 8, 8));
    p5Metadata().tokenStatus(403);

    collector(stub()).start();

    assertThat(sink.inventory().get(0).getAmiId()).isEqualTo("ami-0123456789abcdef0");
    assertThat(imds.seen()).extracting(ImdsStub.Seen::method).containsExactly("PUT");
  }

  @Test
  void shouldDescribeAnUnregisteredInstanceFromImds() {
    p5Metadata();

    collector(stub()).start();

    NodeInventory inv = sink.inventory().get(0);
    assertThat(inv.getRegistered()).isFalse();
    assertThat(inv.getInstanceId()).isEqualTo(INSTANCE_ID);
    assertThat(inv.getInstanceType()).isEqualTo("p5.48xlarge");
    assertThat(inv.getExpectedGpus()).isEqualTo(8);
    assertThat(inv.getLaunchedAt()).isNull();
  }

  @Test
  void shouldLeaveOutInvalidIdentifiersFromTheWire() {
    create(
        without(
            gpuNode(NODE, "boot-1", 8, 8),
            n -> {
              n.getSpec().setProviderID("aws:///us-east-1a/i-../../etc/passwd");
              n.getMetadata().getLabels().put("node.kubernetes.io/instance-type", "P5 48XL;drop");
            }));
    imds.with("instance-id", "i-0abc; curl evil")
        .with("instance-type", "p5.48xlarge")
        .with("ami-id", "ami-<script>")
        .with("placement/availability-zone", "us-east-1a\r\nX-Injected: 1");

    collector(stub()).start();

    NodeInventory inv = sink.inventory().get(0);
    assertThat(inv.getInstanceId()).isNull();
    assertThat(inv.getAmiId()).isEqualTo("ami-0123456789abcdef0");
    assertThat(inv.getInstanceType()).isEqualTo("p5.48xlarge"); // the label failed, IMDS did not
    assertThat(inv.getZone()).isEqualTo("us-east-1a"); // from the zone label
    assertThat(meters.counter(KubeMetrics.INVALID_IDS, "field", "instanceId").count())
        .isEqualTo(2.0);
    assertThat(meters.counter(KubeMetrics.INVALID_IDS, "field", "instanceType").count())
        .isEqualTo(1.0);
    assertThat(meters.counter(KubeMetrics.INVALID_IDS, "field", "amiId").count()).isEqualTo(1.0);
  }

  @Test
  void shouldIgnoreImdsThatDescribesAnotherInstance() {
    create(gpuNode(NODE, "boot-1", 8, 8));
    p5Metadata().with("instance-id", "i-0fffffffffffffff0");

    collector(stub()).start();

    NodeInventory inv = sink.inventory().get(0);
    assertThat(inv.getInstanceId()).isEqualTo(INSTANCE_ID);
    assertThat(inv.getAmiId()).isEqualTo("ami-0123456789abcdef0"); // not IMDS's
  }

  @Test
  void shouldRejectANodeNameThatIsNotADns1123Subdomain() {
    assertThatThrownBy(
            () ->
                new InventoryCollector(
                    client, "../nodes/other", sink, clock, CATALOG, null, meters))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DNS-1123");
  }

  @Test
  void shouldPublishAgainOnlyWhenAFieldChanges() {
    Node n = create(gpuNode(NODE, "boot-1", 8, 8));
    InventoryCollector c = collector(null);
    c.start();
    assertThat(sink.inventory()).hasSize(1);

    c.onNode(n); // same Node again, e.g. a kubelet heartbeat
    n.getStatus().getAllocatable().clear(); // not an inventory field
    c.onNode(n);
    assertThat(sink.inventory()).hasSize(1);

    n.getMetadata().getLabels().put("nvidia.com/cuda.driver-version.full", "580.95.05");
    c.onNode(n);
    assertThat(sink.inventory()).hasSize(2);
    assertThat(sink.inventory().get(1).getDriverVersion()).isEqualTo("580.95.05");

    c.onNode(without(new NodeBuilder(n).build(), x -> x.getMetadata().setName("someone-else")));
    assertThat(sink.inventory()).hasSize(2);

    c.onNodeRemoved(NODE);
    assertThat(sink.inventory()).hasSize(3);
    assertThat(sink.inventory().get(2).getRegistered()).isFalse();
    assertThat(sink.inventory().get(2).getInstanceId()).isEqualTo(INSTANCE_ID);
    assertThat(c.published()).isEqualTo(3);
  }

  @Test
  void shouldFollowTheNodeThroughTheWatcher() throws Exception {
    create(cpuNodeWithNvidiaImage());
    InventoryCollector c = collector(null);
    c.start();
    try (NodeWatcher w =
        new NodeWatcher(client, NODE, sink, clock, NodeWatcher.Options.defaults(), meters)) {
      w.addNodeListener(c);
      w.start().get(10, TimeUnit.SECONDS);
      Eventually.await(
          Duration.ofSeconds(10),
          () -> assertThat(sink.events(NodeEventKind.NODE_REGISTERED)).hasSize(1));
      assertThat(sink.inventory()).hasSize(1); // the watcher's first sight changed nothing

      Node n = client.nodes().withName(NODE).get();
      n.getMetadata().getLabels().put("node.kubernetes.io/instance-type", "g5.xlarge");
      client.nodes().resource(n).update();
      Eventually.await(Duration.ofSeconds(10), () -> assertThat(sink.inventory()).hasSize(2));
      assertThat(sink.inventory().get(1).getExpectedGpus()).isEqualTo(1);
      assertThat(sink.inventory().get(1).getGpuModel()).contains("A10G");

      client.nodes().withName(NODE).delete();
      Eventually.await(Duration.ofSeconds(10), () -> assertThat(sink.inventory()).hasSize(3));
      assertThat(sink.inventory().get(2).getRegistered()).isFalse();
    }
  }
}
