package io.gpuward.demo;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scenarios about repairs and the world's own faults, run and checked as {@link
 * UnseenScenariosIT} runs its own. A class of their own so that the two halves, about 3.5 minutes
 * each, can run in parallel test JVMs.
 */
class RepairScenariosIT {

  @TempDir Path out;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"world-faults", "operands", "return-to-service", "scheduled-retirement"})
  void scenarioKeepsTheInvariants(String name) {
    UnseenScenariosIT.keepsTheInvariants(name, out);
  }
}
