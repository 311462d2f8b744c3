package io.gpuward.cli;

/** Small formatting helpers shared by the demo's lines. */
final class DemoFormat {
  private DemoFormat() {}

  /** A speed as typed: {@code 3}, {@code 0.5}. */
  static String speed(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
