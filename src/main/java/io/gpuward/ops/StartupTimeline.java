package io.gpuward.ops;

import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per step of a role's start, with the wall time and the time since the JVM started,
 * so a restart's time can be split into its phases (JVM start, broker and topic checks, schema
 * registration, state restore, group join) from the role's log alone. The chaos suite reads these
 * lines after every kill; an operator reads them the same way after a crash loop.
 *
 * <p>Format: {@code startup step=<step> at=<epoch ms> jvmMs=<ms since JVM start>}.
 */
public final class StartupTimeline {
  private static final Logger log = LoggerFactory.getLogger(StartupTimeline.class);

  /** The step the JVM's own start time is logged under. */
  public static final String JVM_START = "jvm-start";

  private StartupTimeline() {}

  /** Logs the JVM's start time (as step {@link #JVM_START}) and {@code step} now. */
  public static void begin(String step) {
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    log.info("startup step={} at={} jvmMs={}", JVM_START, jvmStart, 0);
    mark(step);
  }

  /** Logs that {@code step} was reached now. */
  public static void mark(String step) {
    long now = System.currentTimeMillis();
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    log.info("startup step={} at={} jvmMs={}", step, now, now - jvmStart);
  }
}
