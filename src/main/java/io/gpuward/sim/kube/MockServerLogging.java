package io.gpuward.sim.kube;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * fabric8's mock web server logs every request at INFO through java.util.logging, straight to the
 * console, where a demo's screen would show nothing else. Its warnings stay.
 */
final class MockServerLogging {
  /** Held so that the level outlives a collection of the logger. */
  private static final Logger MOCK_SERVER = Logger.getLogger("io.fabric8.mockwebserver");

  private MockServerLogging() {}

  static void quiet() {
    MOCK_SERVER.setLevel(Level.WARNING);
  }
}
