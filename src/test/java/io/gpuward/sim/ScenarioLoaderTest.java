package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.fleet.InstanceTypeCatalog;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioLoaderTest {

  private static final InstanceTypeCatalog CATALOG = InstanceTypeCatalog.load();

  /** The exact container start failure text from k8s-signals.md §4. */
  static final String LIBNVIDIA_ML_TEXT =
      "failed to create shim task: OCI runtime create failed: runc create failed: unable to start"
          + " container process: error during container init: error running hook #0: error running"
          + " hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'\n"
          + "nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1:"
          + " cannot open shared object file: no such file or directory: unknown";

  static final String HEAD =
      """
      name: t
      seed: 7
      sampleInterval: 1s
      duration: 5m
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 8, zone: us-east-1a}
        - {name: g5-infer, instanceType: g5.2xlarge, image: al2023-nvidia, count: 4, zone: us-east-1b}
        - {name: cache-warm, instanceType: m5.large, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 1, zone: us-east-1a}
      """;

  private static Scenario parse(String yaml) {
    return ScenarioLoader.parse(yaml, CATALOG);
  }

  @Test
  void shouldLoadTheDefaultScenarioWithItsTimeline() {
    Scenario s = ScenarioLoader.loadDefault(CATALOG);

    assertThat(s.sampleInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.duration()).isEqualTo(Duration.ofMinutes(3));
    assertThat(s.nodegroups())
        .extracting(NodeGroupSpec::name, NodeGroupSpec::instanceType, NodeGroupSpec::count)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("p5-train", "p5.48xlarge", 8),
            org.assertj.core.groups.Tuple.tuple("g5-infer", "g5.2xlarge", 4),
            org.assertj.core.groups.Tuple.tuple("cache-warm", "m5.large", 1));
    assertThat(s.nodegroup("cache-warm").orElseThrow().nvidiaImage()).isTrue();

    assertThat(fault(s, "xid", Duration.ofSeconds(5)).injection())
        .isEqualTo(new Injection.Xid(3, 79));
    assertThat(fault(s, "xid", Duration.ofSeconds(5)).target())
        .isEqualTo(new Target.Node("p5-train-2"));
    assertThat(fault(s, "xid", Duration.ofSeconds(15)).injection())
        .isEqualTo(new Injection.Xid(0, 119));
    assertThat(fault(s, "xid", Duration.ofSeconds(15)).target())
        .isEqualTo(new Target.Node("g5-infer-1"));
    Injection.Thermal th =
        (Injection.Thermal) fault(s, "thermal", Duration.ofSeconds(10)).injection();
    assertThat(th.gpuIndex()).isEqualTo(1);
    assertThat(th.celsius()).isEqualTo(97.0);
    assertThat(th.forDuration()).isEqualTo(Duration.ofSeconds(40));
    assertThat(th.ramp()).isEqualTo(Duration.ofSeconds(8));

    assertThat(fault(s, "allocatable-drop", Duration.ofSeconds(25)).target())
        .isEqualTo(new Target.Node("p5-train-1"));
    assertThat(fault(s, "operand-missing", Duration.ofSeconds(40)).target())
        .isEqualTo(new Target.Node("g5-infer-2"));
    for (String later : List.of("container-error", "ecc-dbe")) {
      Fault f =
          s.faults().stream()
              .filter(x -> x.injection().kind().equals(later))
              .findFirst()
              .orElseThrow();
      assertThat(f.at()).as(later).isGreaterThan(Duration.ofSeconds(90));
    }
    Fault ce =
        s.faults().stream()
            .filter(x -> x.injection() instanceof Injection.ContainerError)
            .findFirst()
            .orElseThrow();
    assertThat(ce.target()).isEqualTo(Target.NodeGroup.all("g5-infer"));
    assertThat(((Injection.ContainerError) ce.injection()).message()).isEqualTo(LIBNVIDIA_ML_TEXT);
  }

  private static Fault fault(Scenario s, String kind, Duration at) {
    return s.faults().stream()
        .filter(f -> f.injection().kind().equals(kind) && f.at().equals(at))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " at " + at));
  }

  @Test
  void shouldParseEveryInjectKind() {
    Scenario s =
        parse(
            HEAD
                + """
                faults:
                  - {at: 1s, node: p5-train-0, inject: xid, gpu: 2, xid: 13, pid: 4242, process: python3, message: boom}
                  - {at: 2s, node: p5-train-0, inject: ecc-dbe, gpu: 1}
                  - {at: 3s, node: p5-train-0, inject: sbe-storm, gpu: 1, rate: 500, for: 30s}
                  - {at: 4s, node: p5-train-0, inject: row-remap-failure, gpu: 4}
                  - {at: 5s, node: p5-train-1, inject: thermal, gpu: 7, celsius: 95, for: 2m, ramp: 5s}
                  - {at: 6s, node: p5-train-1, inject: nvlink-errors, gpu: 0, rate: 20}
                  - {at: 7s, node: p5-train-2, inject: gpu-missing, gpu: 6}
                  - {at: 8s, node: g5-infer-0, inject: not-ready, for: 1m}
                  - {at: 0s, node: g5-infer-1, inject: no-registration}
                  - {at: 9s, nodegroup: g5-infer, count: 2, inject: container-error, message: "nvidia-smi: executable file not found"}
                  - {at: 10s, nodegroup: p5-train, percent: 25, inject: operand-missing, operand: device-plugin, grace: 10s}
                  - {at: 11s, node: p5-train-3, inject: allocatable-drop, allocatable: 5}
                  - {at: 12s, node: p5-train-4, inject: telemetry-silence, for: 45s}
                  - {at: 500ms, node: p5-train-0, inject: recover}
                  - {at: 13s, nodegroup: g5-infer, percent: 30, inject: scale-in}
                  - {at: 14s, node: p5-train-5, inject: hang, for: 2m}
                  - {at: 15s, node: p5-train-6, inject: operand-crashloop, operand: device-plugin}
                  - {at: 0s, node: cache-warm-0, inject: ssm-unregistered}
                  - {at: 16s, node: p5-train-7, inject: operand-opt-out, operand: dcgm-exporter}
                  - {at: 17s, node: p5-train-7, inject: diag-fail, gpu: 5, hang: true}
                  - {at: 18s, node: p5-train-2, inject: scheduled-event, code: system-reboot, in: 2m}
                """);

    assertThat(s.faults()).hasSize(21);
    assertThat(s.faults().stream().map(f -> f.injection().kind()).toList())
        .containsExactlyInAnyOrderElementsOf(Injection.KINDS);
    assertThat(s.faults().get(0).injection())
        .isEqualTo(
            new Injection.Xid(
                2,
                13,
                java.util.Optional.of("boom"),
                java.util.Optional.of(4242L),
                java.util.Optional.of("python3")));
    assertThat(s.faults().get(2).injection())
        .isEqualTo(new Injection.SbeStorm(1, 500, java.util.Optional.of(Duration.ofSeconds(30))));
    assertThat(s.faults().get(9).target())
        .isEqualTo(
            new Target.NodeGroup(
                "g5-infer", java.util.OptionalInt.of(2), java.util.OptionalDouble.empty()));
    assertThat(s.faults().get(10).injection())
        .isEqualTo(
            new Injection.OperandMissing(
                "device-plugin", false, Duration.ofSeconds(10), java.util.Optional.empty()));
    assertThat(s.faults().get(13).at()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.faults().get(12).injection().lasting()).contains(Duration.ofSeconds(45));
    assertThat(s.faults().get(14).injection()).isEqualTo(new Injection.ScaleIn());
    assertThat(s.faults().get(14).target())
        .isEqualTo(
            new Target.NodeGroup(
                "g5-infer", java.util.OptionalInt.empty(), java.util.OptionalDouble.of(30)));
    assertThat(s.faults().get(15).injection())
        .isEqualTo(new Injection.Hang(java.util.Optional.of(Duration.ofMinutes(2))));
    assertThat(s.faults().get(16).injection())
        .isEqualTo(new Injection.OperandCrashLoop("device-plugin", java.util.Optional.empty()));
    assertThat(s.faults().get(17).injection()).isEqualTo(new Injection.SsmUnregistered());
    assertThat(s.faults().get(18).injection())
        .isEqualTo(new Injection.OperandOptOut("dcgm-exporter"));
    assertThat(s.faults().get(19).injection()).isEqualTo(new Injection.DiagFail(5, true));
  }

  static Stream<Arguments> invalidWorldFaults() {
    String f = HEAD + "faults:\n  - ";
    return Stream.of(
        Arguments.of(
            f + "{at: 1s, node: p5-train-0, inject: scale-in, for: 30s}\n",
            "faults[0].for",
            "faults[0].for: unknown key (allowed: at, node, nodegroup, count, percent, inject)"),
        Arguments.of(
            f + "{at: 1s, nodegroup: g5-infer, percent: 0, inject: scale-in}\n",
            "faults[0].percent",
            "faults[0].percent: 0.0 is not in (0, 100]"),
        Arguments.of(
            f + "{at: 1s, node: p5-train-0, inject: hang, for: 0s}\n",
            "faults[0].for",
            "faults[0].for:"),
        Arguments.of(
            f + "{at: 1s, node: p5-train-0, inject: hang, message: x}\n",
            "faults[0].message",
            "faults[0].message: unknown key"),
        Arguments.of(
            f + "{at: 1s, node: p5-train-0, inject: operand-crashloop}\n",
            "faults[0].operand",
            "faults[0].operand: required, one of driver,"),
        Arguments.of(
            f + "{at: 1s, node: p5-train-0, inject: operand-crashloop, operand: nvlink}\n",
            "faults[0].operand",
            "faults[0].operand: 'nvlink' is not one of driver,"),
        Arguments.of(
            f + "{at: 1s, node: cache-warm-0, inject: operand-crashloop, operand: dcgm}\n",
            "faults[0].inject",
            "'operand-crashloop' needs NVIDIA GPUs but m5.large (nodegroup cache-warm) has none"),
        Arguments.of(
            f + "{at: 1s, node: p5-train-0, inject: operand-opt-out, operand: dcgm, for: 1m}\n",
            "faults[0].for",
            "faults[0].for: unknown key (allowed: at, node, nodegroup, count, percent, inject,"
                + " operand)"),
        Arguments.of(
            f + "{at: 1s, node: p5-train-0, inject: operand-opt-out}\n",
            "faults[0].operand",
            "faults[0].operand: required, one of driver,"),
        Arguments.of(
            f + "{at: 1s, node: cache-warm-0, inject: operand-opt-out, operand: dcgm}\n",
            "faults[0].inject",
            "'operand-opt-out' needs NVIDIA GPUs but m5.large (nodegroup cache-warm) has none"),
        Arguments.of(
            f + "{at: 1s, node: p5-train-0, inject: diag-fail, hang: maybe}\n",
            "faults[0].hang",
            "faults[0].hang: 'maybe' is not true or false"),
        Arguments.of(
            f + "{at: 1s, node: cache-warm-0, inject: diag-fail}\n",
            "faults[0].inject",
            "'diag-fail' needs NVIDIA GPUs but m5.large (nodegroup cache-warm) has none"),
        Arguments.of(
            f + "{at: 1s, node: cache-warm-0, inject: ssm-unregistered, for: 1m}\n",
            "faults[0].for",
            "faults[0].for: unknown key"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("invalidWorldFaults")
  void shouldRefuseBadFieldsOfTheWorldFaultKindsNamingTheKey(
      String yaml, String key, String message) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((ScenarioException) e).key()).isEqualTo(key));
  }

  @Test
  void shouldApplyDefaults() {
    Scenario s =
        parse(
            """
            name: d
            duration: 1h
            nodegroups:
              - {name: a, instanceType: p4d.24xlarge, image: al2023-nvidia, count: 2, zone: z}
            faults:
              - {at: 1m, node: a-1, inject: thermal, celsius: 90}
            """);
    assertThat(s.seed()).isEqualTo(42);
    assertThat(s.sampleInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.duration()).isEqualTo(Duration.ofHours(1));
    assertThat(s.start()).isEmpty();
    assertThat(s.nodegroups().get(0).driverVersion()).isEqualTo("580.95.05");
    assertThat(s.nodegroups().get(0).asgName()).isEqualTo("eks-a-asg");
    assertThat(s.faults().get(0).injection())
        .isEqualTo(new Injection.Thermal(0, 90, Duration.ofSeconds(60), Duration.ofSeconds(8)));
  }

  static Stream<Arguments> invalidScenarios() {
    return Stream.of(
        Arguments.of(
            HEAD
                + "faults:\n  - {at: 1s, node: p5-train-0, inject: xid, xid: 79}\n  - {at: 2s, node: p5-train-0, inject: xid, xid: 79}\n  - {at: 20x, node: p5-train-1, inject: xid, xid: 79}\n",
            "faults[2].at",
            "faults[2].at: '20x' is not a duration"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 20s, node: p5-train-99, inject: xid, xid: 79}\n",
            "faults[0].node",
            "faults[0].node: p5-train-99 is not in any nodegroup"),
        Arguments.of(
            HEAD
                + "faults:\n  - {at: 1s, node: p5-train-0, inject: recover}\n  - {at: 20s, node: p5-train-1, inject: xyd}\n",
            "faults[1].inject",
            "faults[1].inject: 'xyd' is not one of xid, ecc-dbe, sbe-storm, row-remap-failure, thermal,"
                + " nvlink-errors, gpu-missing, not-ready, no-registration, container-error,"
                + " operand-missing, allocatable-drop, telemetry-silence, recover, scale-in, hang,"
                + " operand-crashloop, ssm-unregistered, operand-opt-out"),
        Arguments.of(
            HEAD
                + "faults:\n  - {at: 1s, node: p5-train-0, inject: scheduled-event, code: instance-explode, in: 2m}\n",
            "faults[0].code",
            "faults[0].code: 'instance-explode' is not one of instance-retirement, instance-stop,"
                + " instance-reboot, system-reboot, system-maintenance"),
        Arguments.of(
            HEAD
                + "faults:\n  - {at: 1s, node: p5-train-0, inject: scheduled-event, code: instance-stop}\n",
            "faults[0].in",
            "faults[0].in: required (e.g. 2m)"),
        Arguments.of(
            HEAD + "nodegroup: x\n", "nodegroup", "nodegroup: unknown key (allowed: name,"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 1s, node: p5-train-0, inject: xid, xid: 79, celsius: 90}\n",
            "faults[0].celsius",
            "faults[0].celsius: unknown key"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 1s, node: p5-train-0, inject: xid, gpu: 8, xid: 79}\n",
            "faults[0].gpu",
            "faults[0].gpu: 8 is out of range for p5.48xlarge (8 GPUs: 0-7)"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 1s, node: cache-warm-0, inject: ecc-dbe}\n",
            "faults[0].inject",
            "faults[0].inject: 'ecc-dbe' needs NVIDIA GPUs but m5.large (nodegroup cache-warm) has none"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 1s, node: g5-infer-0, inject: nvlink-errors}\n",
            "faults[0].inject",
            "needs NVLink but g5.2xlarge"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 1s, node: p5-train-0, inject: xid}\n",
            "faults[0].xid",
            "faults[0].xid: required"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 1s, node: p5-train-0, inject: thermal}\n",
            "faults[0].celsius",
            "faults[0].celsius: required"),
        Arguments.of(
            HEAD
                + "faults:\n  - {at: 1s, nodegroup: g5-infer, count: 2, percent: 50, inject: recover}\n",
            "faults[0].percent",
            "name count or percent, not both"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 1s, nodegroup: g5-infer, count: 5, inject: recover}\n",
            "faults[0].count",
            "faults[0].count: 5 is not between 1 and 4"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 1s, nodegroup: g6-nope, inject: recover}\n",
            "faults[0].nodegroup",
            "faults[0].nodegroup: g6-nope is not a nodegroup"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 1s, inject: recover}\n",
            "faults[0]",
            "faults[0]: name exactly one of node or nodegroup"),
        Arguments.of(
            HEAD + "faults:\n  - {at: 6m, node: p5-train-0, inject: recover}\n",
            "faults[0].at",
            "faults[0].at: 6m is after the scenario duration 5m"),
        Arguments.of(
            HEAD
                + "faults:\n  - {at: 1s, node: p5-train-0, inject: operand-missing, operand: fabric}\n",
            "faults[0].operand",
            "faults[0].operand: 'fabric' is not one of driver,"),
        Arguments.of(
            HEAD
                + "faults:\n  - {at: 1s, node: p5-train-0, inject: allocatable-drop, allocatable: 8}\n",
            "faults[0].allocatable",
            "faults[0].allocatable: 8 is not below the GPU count"),
        Arguments.of(
            "name: t\nnodegroups:\n  - {name: a, instanceType: g5.xlarge, image: x, count: 1, zone: z}\n",
            "duration",
            "duration: required"),
        Arguments.of(
            "name: t\nduration: 90\nnodegroups:\n  - {name: a, instanceType: g5.xlarge, image: x, count: 1, zone: z}\n",
            "duration",
            "duration: '90' is not a duration"),
        Arguments.of(
            "name: t\nduration: 1m\nnodegroups:\n  - {name: a, instanceType: g5.xlarge, image: x, count: 1, zone: z}\n  - {name: a, instanceType: g5.xlarge, image: x, count: 1, zone: z}\n",
            "nodegroups[1].name",
            "nodegroups[1].name: a is used by another node group"),
        Arguments.of(
            "name: t\nduration: 1m\nnodegroups:\n  - {name: a, instanceType: g5.xlarge, image: x, zone: z}\n",
            "nodegroups[0].count",
            "nodegroups[0].count: required"),
        Arguments.of(
            "name: t\nduration: 1m\nnodegroups:\n  - {name: a, instanceType: g5.xlarge, image: x, count: -1, zone: z}\n",
            "nodegroups[0].count",
            "nodegroups[0].count: -1 is not between 0 and 1000"),
        Arguments.of(
            "name: t\nduration: 1m\nnodegroups:\n  - {name: A_b, instanceType: g5.xlarge, image: x, count: 1, zone: z}\n",
            "nodegroups[0].name",
            "'A_b' is not a valid name"),
        Arguments.of(
            "name: t\nduration: 1m\nstart: yesterday\nnodegroups:\n  - {name: a, instanceType: g5.xlarge, image: x, count: 1, zone: z}\n",
            "start",
            "start: 'yesterday' is not an ISO-8601 instant"),
        Arguments.of(
            "name: t\nduration: 1m\nnodegroups:\n  - {name: a, instanceType: m5.large, image: x, count: 1, zone: z, dra: true}\n",
            "nodegroups[0].dra",
            "m5.large has no NVIDIA GPU"),
        Arguments.of(
            "name: t\nduration: 1m\nnodegroups:\n  - {name: a, instanceType: g5.xlarge, image: x, count: 1, zone: z, dra: yes please}\n",
            "nodegroups[0].dra",
            "is not true or false"),
        Arguments.of("name: t\nduration: 1m\n", "nodegroups", "nodegroups: required"),
        Arguments.of("- just\n- a list\n", "", "scenario must be a mapping"),
        Arguments.of(
            "name: t\nduration: 1m\nnodegroups:\n  - {name: a, instanceType: g5.xlarge, image: x, count: 100000, zone: z}\n",
            "nodegroups[0].count",
            "nodegroups[0].count: 100000 is not between 0 and 1000, the most nodes a scenario"),
        Arguments.of(
            "name: t\nduration: 1m\nnodegroups:\n  - {name: a, instanceType: g5.xlarge, image: x, count: 600, zone: z}\n  - {name: b, instanceType: g5.xlarge, image: x, count: 600, zone: z}\n",
            "nodegroups",
            "nodegroups: 1200 nodes in all, more than the 1000 a scenario simulates"),
        Arguments.of("name: [unclosed\n", "", "scenario:2:1: not valid YAML: "));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("invalidScenarios")
  void shouldRejectInvalidScenarioNamingTheKey(String yaml, String key, String message) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((ScenarioException) e).key()).isEqualTo(key));
  }

  @Test
  void shouldReadAThermalFaultThatThrottlesUnderTheTemperatureLimit() {
    Scenario s =
        parse(
            HEAD
                + "faults:\n"
                + "  - {at: 5s, node: p5-train-1, inject: thermal, gpu: 2, celsius: 82, for: 3m,"
                + " throttle: hw}\n"
                + "  - {at: 5s, node: p5-train-2, inject: thermal, gpu: 2, celsius: 97}\n");
    assertThat(s.faults().get(0).injection())
        .isEqualTo(
            new Injection.Thermal(2, 82, Duration.ofMinutes(3), Duration.ofSeconds(8), true));
    assertThat(((Injection.Thermal) s.faults().get(1).injection()).hwThrottle())
        .as("by default the slowdown follows the temperature")
        .isFalse();
    assertThatThrownBy(
            () ->
                parse(
                    HEAD
                        + "faults:\n"
                        + "  - {at: 5s, node: p5-train-1, inject: thermal, celsius: 82,"
                        + " throttle: sw}\n"))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("'sw' is not hw")
        .satisfies(e -> assertThat(((ScenarioException) e).key()).isEqualTo("faults[0].throttle"));
  }

  @Test
  void shouldNameTheFileThatDoesNotExist() {
    assertThatThrownBy(
            () -> ScenarioLoader.load(java.nio.file.Path.of("/no/such/scenario.yaml"), CATALOG))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("/no/such/scenario.yaml does not exist");
  }

  @Test
  void shouldBuildSyntheticFleetOfAtLeastTheGpuCount() {
    Scenario s = Scenario.synthetic(100_000, 1);
    assertThat(s.nodeCount()).isEqualTo(12_500);
    assertThat(s.nodegroups()).allMatch(g -> g.instanceType().equals("p5.48xlarge"));
    assertThat(s.nodegroups()).allMatch(g -> g.count() <= Scenario.SYNTHETIC_GROUP_NODES);
    assertThat(s.faults()).isEmpty();
    assertThat(Scenario.synthetic(9, 1).nodeCount()).isEqualTo(2);
  }
}
