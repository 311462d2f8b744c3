package io.gpuward.contract;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Lets Avro load the generated contract classes ({@code io.gpuward.avro}) when decoding. Avro 1.12
 * refuses to instantiate classes named by a schema unless trusted; without this, every specific
 * read fails with "Forbidden io.gpuward.avro.X! This class is not trusted".
 */
public final class AvroTrust {
  private static final String PACKAGE_PREFIX = "io.gpuward.avro.";

  private AvroTrust() {}

  /** Adds the contract package to Avro's JVM-wide trusted classes; idempotent. */
  public static void trustContractClasses() {
    Holder.touch();
  }

  private static final class Holder {
    static {
      ClassSecurityValidator.setGlobal(
          ClassSecurityValidator.composite(
              ClassSecurityValidator.getGlobal(), c -> c.getName().startsWith(PACKAGE_PREFIX)));
    }

    static void touch() {}
  }
}
