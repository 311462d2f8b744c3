package io.gpuward.contract;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes it does not trust when it resolves a writer schema. The
 * generated contract classes ({@code io.gpuward.avro}) are ours: trust them, in addition to
 * whatever the JVM already trusts.
 */
public final class ContractTrust {
  private static final String CONTRACT_PACKAGE = "io.gpuward.avro.";
  private static volatile boolean installed;

  private ContractTrust() {}

  public static void install() {
    if (installed) {
      return;
    }
    synchronized (ContractTrust.class) {
      if (!installed) {
        var current = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(
            ClassSecurityValidator.composite(
                current, c -> c.getName().startsWith(CONTRACT_PACKAGE)));
        installed = true;
      }
    }
  }
}
