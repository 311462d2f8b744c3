package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first verdicts of a storm (opened before their incident existed) are held within a fraction
 * of a second of wall-clock time, without waiting for stream time to reach the next expiry pass. At
 * demo speed a storm's first members were drained before their hold arrived.
 */
class HoldLatencyTopologyTest {
  @TempDir Path stateDir;
  private EngineHarness h;

  @BeforeEach
  void setUp() {
    h = new EngineHarness(stateDir);
    for (int i = 0; i < 10; i++) {
      String n = "p5-a-" + i;
      h.inventory.pipeInput(
          n,
          NodeInventory.newBuilder(inventory(n, "p5.48xlarge", "al2023-nvidia", T0))
              .setDriverVersion("580.95.05")
              .build());
    }
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void firstMembersOfAStormAreHeldOnTheWallClockPass() {
    for (int i = 0; i < 4; i++) {
      h.xid.pipeInput(
          "p5-a-" + i, xid("p5-a-" + i, 79, String.format("GPU-%08d", i), T0.plusSeconds(10)));
    }
    List<FaultVerdict> before = h.verdicts.readValuesToList();
    long heldBefore = before.stream().filter(FaultVerdict::getHeld).count();
    assertThat(heldBefore)
        .as("the storm's first members opened before their incident")
        .isLessThan(4);

    // no new record, so stream time stands still: only the wall-clock pass can hold them
    h.driver.advanceWallClockTime(Duration.ofSeconds(1));
    List<FaultVerdict> after = h.verdicts.readValuesToList();
    for (int i = 0; i < 4; i++) {
      String n = "p5-a-" + i;
      boolean held =
          java.util.stream.Stream.concat(before.stream(), after.stream())
              .filter(v -> v.getNode().equals(n))
              .reduce((a, b) -> b)
              .orElseThrow()
              .getHeld();
      assertThat(held).as("%s held", n).isTrue();
    }
    assertThat(after).allSatisfy(v -> assertThat(v.getUpdatedAt()).isEqualTo(T0.plusSeconds(10)));
  }
}
