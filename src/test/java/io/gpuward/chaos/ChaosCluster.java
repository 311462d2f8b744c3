package io.gpuward.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.gpuward.testing.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The world the remediator acts on from its own process: the simulated world the demo serves
 * ({@code gpuward simulate --serve}, a process of its own, as in WorldProcessIT), holding the chaos
 * fleet's nodes, served as a Kubernetes API (reached through the kubeconfig it writes) and as EC2,
 * Auto Scaling and SSM. The remediator acts on it through its production fabric8 and AWS SDK
 * actuators, and the world's action log ({@code GET /world/actions}) tells what it was asked: a
 * cordon or a reboot asked twice shows, accepted or as a same-operation no-op. The world publishes
 * nothing to Kafka: the harness' {@link ChaosFleet} is the fleet's exporters, under the node names,
 * instance ids and boot ids the world gives.
 */
final class ChaosCluster implements AutoCloseable {
  private static final Pattern AWS = Pattern.compile("^ {2}aws: (http://\\S+)");
  private static final Pattern ACTIONS = Pattern.compile("^ {2}world actions: (http://\\S+)");
  private static final List<String> JVM =
      List.of(
          "-Xmx256m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.gpuward.avro");

  /** What the world says about one of its nodes. */
  record Identity(String instanceId, String bootId) {}

  private final RoleProcess world;
  private final Path kubeconfig;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private URI aws;
  private URI actions;

  /** Starts the world with the fleet's node groups and waits until it serves every node. */
  ChaosCluster(Path dir, Path jar, List<ChaosFleet.FleetNode> nodes) throws IOException {
    Path scenario = dir.resolve("world-scenario.yaml");
    Files.writeString(scenario, scenario(nodes));
    kubeconfig = dir.resolve("kubeconfig");
    List<String> args =
        List.of(
            "simulate",
            "--serve",
            "--scenario",
            scenario.toString(),
            "--speed",
            "1",
            "--write-kubeconfig",
            kubeconfig.toString(),
            "--metrics-port",
            "-1");
    world =
        new RoleProcess(
            "world", RoleProcess.java(JVM, jar, args), Map.of(), dir.resolve("world.log"));
    world.start();
    announced();
  }

  /**
   * The fleet as a scenario: one node group per fleet group, in order, no faults (the harness
   * injects them as the exporters would report them). A slow sample interval: nobody reads the
   * world's telemetry.
   */
  private static String scenario(List<ChaosFleet.FleetNode> nodes) {
    Map<String, List<ChaosFleet.FleetNode>> groups = new LinkedHashMap<>();
    nodes.forEach(n -> groups.computeIfAbsent(n.nodegroup(), g -> new ArrayList<>()).add(n));
    StringBuilder y = new StringBuilder();
    y.append("name: role-chaos\nseed: 7\nsampleInterval: 10s\nduration: 2h\nnodegroups:\n");
    groups.forEach(
        (name, members) -> {
          ChaosFleet.FleetNode first = members.get(0);
          y.append(
              String.format(
                  "  - {name: %s, instanceType: %s, image: %s, count: %d, zone: %s}%n",
                  name, first.instanceType(), first.image(), members.size(), first.zone()));
        });
    return y.toString();
  }

  /** Waits for the world's endpoints in its output and for its kubeconfig file. */
  private void announced() {
    Eventually.await(
        Duration.ofSeconds(120),
        () -> {
          List<String> out = world.outputSinceStart();
          Optional<String> a = first(out, AWS);
          Optional<String> w = first(out, ACTIONS);
          assertThat(a).as("aws endpoint in " + world.output()).isPresent();
          assertThat(w).as("world actions in " + world.output()).isPresent();
          assertThat(kubeconfig).exists();
          aws = URI.create(a.get());
          actions = URI.create(w.get());
        });
  }

  private static Optional<String> first(List<String> lines, Pattern p) {
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }

  /** Instance id and boot id of each of {@code names}, once the world serves all of their Nodes. */
  Map<String, Identity> identities(Set<String> names) throws IOException {
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    Map<String, Identity> found = new HashMap<>();
    try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(config).build()) {
      Eventually.await(
          Duration.ofSeconds(60),
          () -> {
            found.clear();
            for (Node n : kube.nodes().list().getItems()) {
              String provider = n.getSpec().getProviderID();
              found.put(
                  n.getMetadata().getName(),
                  new Identity(
                      provider.substring(provider.lastIndexOf('/') + 1),
                      n.getStatus().getNodeInfo().getBootID()));
            }
            assertThat(found.keySet()).containsAll(names);
          });
    }
    return found;
  }

  /** Environment of the remediator process: the world's kubeconfig and static AWS credentials. */
  Map<String, String> remediatorEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("AWS_ACCESS_KEY_ID", "AKIDCHAOS");
    env.put("AWS_SECRET_ACCESS_KEY", "chaos-secret");
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    return env;
  }

  String awsEndpoint() {
    return aws.toString();
  }

  /** The world process, whose own exits are failures too. */
  RoleProcess process() {
    return world;
  }

  /**
   * Nodes each cordon asked of the world was for (accepted, or a same-operation no-op), in order.
   */
  List<String> cordons() {
    return asked("CORDON");
  }

  /**
   * Instance ids of every reboot asked of the world (accepted, or a same-token no-op), in order.
   */
  List<String> reboots() {
    return asked("REBOOT");
  }

  private List<String> asked(String action) {
    List<String> targets = new ArrayList<>();
    for (JsonNode a : actionLog()) {
      String outcome = a.path("outcome").asText();
      if (a.path("action").asText().equals(action)
          && (outcome.equals("ACCEPTED") || outcome.equals("NOOP"))) {
        targets.add(a.path("target").asText());
      }
    }
    return targets;
  }

  private JsonNode actionLog() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(actions).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("GET " + actions + " answered " + r.statusCode() + ": " + r.body());
      }
      return json.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading the world's action log", e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    world.close();
  }
}
