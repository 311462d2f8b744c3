package io.gpuward.chaos;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.gpuward.remediation.aws.AwsStub;
import io.gpuward.remediation.aws.AwsStub.Reply;
import io.gpuward.remediation.k8s.ClusterMock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulated cluster the remediator acts on from its own process: fabric8's mock API server with
 * the fleet's Node objects (GPU nodes carry {@code nvidia.com/gpu.present=true}), reached through a
 * kubeconfig file, and the AWS stub answering reboots. Both record every request, so a cordon
 * applied twice shows.
 */
final class ChaosCluster implements AutoCloseable {
  private static final Pattern NODE_PATCH = Pattern.compile("^/api/v1/nodes/([^/?]+)");

  private final ClusterMock kube = new ClusterMock();
  private final AwsStub aws;
  private final Path kubeconfig;

  ChaosCluster(Path dir, List<ChaosFleet.FleetNode> nodes) throws IOException {
    for (ChaosFleet.FleetNode n : nodes) {
      kube.client().nodes().resource(node(n)).create();
    }
    aws = new AwsStub();
    aws.on(
        "RebootInstances",
        Reply.xml(
            "<RebootInstancesResponse xmlns=\""
                + AwsStub.EC2_NS
                + "\"><requestId>r-1</requestId><return>true</return></RebootInstancesResponse>"));
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, kubeconfig(kube.client().getMasterUrl().toString()));
  }

  /** Environment of the remediator process: the kubeconfig and static AWS credentials. */
  Map<String, String> remediatorEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("AWS_ACCESS_KEY_ID", "AKIDCHAOS");
    env.put("AWS_SECRET_ACCESS_KEY", "chaos-secret");
    env.put("AWS_REGION", "us-east-1");
    return env;
  }

  String awsEndpoint() {
    return aws.endpoint().toString();
  }

  /** Nodes each cordon request (a PATCH setting spec.unschedulable true) was for, in order. */
  List<String> cordons() {
    return kube.requests().stream()
        .filter(
            r ->
                r.method().equals("PATCH")
                    && r.body().replace(" ", "").contains("\"unschedulable\":true"))
        .map(r -> nodeOf(r.path()))
        .toList();
  }

  /** Instance ids of every RebootInstances call, in order. */
  List<String> reboots() {
    return aws.requests().stream()
        .filter(r -> "RebootInstances".equals(r.operation()))
        .map(r -> r.form().getOrDefault("InstanceId.1", "?"))
        .toList();
  }

  int kubeRequests() {
    return kube.requests().size();
  }

  private static String nodeOf(String path) {
    Matcher m = NODE_PATCH.matcher(path);
    return m.find() ? m.group(1) : path;
  }

  private static Node node(ChaosFleet.FleetNode n) {
    Map<String, String> labels = new HashMap<>();
    labels.put("kubernetes.io/hostname", n.name());
    labels.put("node.kubernetes.io/instance-type", n.instanceType());
    labels.put("topology.kubernetes.io/zone", n.zone());
    labels.put("eks.amazonaws.com/nodegroup", n.nodegroup());
    if (n.gpu()) {
      labels.put("nvidia.com/gpu.present", "true");
    }
    return new NodeBuilder()
        .withNewMetadata()
        .withName(n.name())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withProviderID("aws:///" + n.zone() + "/" + n.instanceId())
        .endSpec()
        .withNewStatus()
        .withNewNodeInfo()
        .withBootID("boot-" + n.name())
        .endNodeInfo()
        .withConditions(
            new NodeConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("KubeletReady")
                .build())
        .endStatus()
        .build();
  }

  private static String kubeconfig(String server) {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: chaos",
        "  cluster:",
        "    server: " + server,
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: chaos",
        "  user:",
        "    token: chaos-token",
        "contexts:",
        "- name: chaos",
        "  context:",
        "    cluster: chaos",
        "    user: chaos",
        "    namespace: default",
        "current-context: chaos",
        "");
  }

  @Override
  public void close() {
    aws.close();
    kube.close();
  }
}
