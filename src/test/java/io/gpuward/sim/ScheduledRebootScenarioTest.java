package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.sim.aws.CloudWorld;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code scenarios/scheduled-reboot.yaml} in the simulated world alone: EC2 reboots the host at the
 * event's start and the same node comes back (gpuward's side of it: {@code FaultClassTopologyTest},
 * the engine keeping the verdict open until the node is back).
 */
class ScheduledRebootScenarioTest {
  private static final String NODE = "p5-train-1";

  private final SimHarness h =
      new SimHarness(
          ScenarioLoader.load(
              Path.of("src/test/resources/scenarios/scheduled-reboot.yaml"), SimHarness.CATALOG));

  @Test
  void shouldRebootTheHostAtTheWindowAndBringTheSameNodeBack() {
    h.runTo("30s");
    InstanceView before = instance();
    List<CloudWorld.ScheduledEvent> listed = h.cluster.scheduledEvents().get(before.instanceId());
    assertThat(listed)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.code()).isEqualTo("system-reboot");
              assertThat(e.notBefore()).isEqualTo(h.at("260s"));
              assertThat(e.pending()).isTrue();
            });

    h.runTo("259s");
    assertThat(instance().bootId()).as("nothing before the window").isEqualTo(before.bootId());

    h.runTo("5m");
    InstanceView after = instance();
    assertThat(after.instanceId())
        .as("the same instance, not replaced")
        .isEqualTo(before.instanceId());
    assertThat(after.bootId()).as("rebooted").isNotEqualTo(before.bootId());
    assertThat(after.state()).isEqualTo("RUNNING");
    assertThat(h.cluster.instances()).hasSize(4);
    assertThat(h.cluster.scheduledEvents().get(before.instanceId()))
        .singleElement()
        .satisfies(e -> assertThat(e.description()).startsWith("[Completed]"));
  }

  private InstanceView instance() {
    return h.cluster.instances().stream()
        .filter(i -> i.node().equals(NODE) && !i.state().equals("TERMINATED"))
        .findFirst()
        .orElseThrow();
  }
}
