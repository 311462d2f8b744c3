package io.gpuward.contract.registry;

import io.gpuward.contract.SchemaRegistryException;
import java.util.Locale;

/**
 * Registry modes as the Confluent registry names them ({@code
 * io.confluent.kafka.schemaregistry.storage.Mode}). READONLY refuses registrations and deletes
 * under its scope; READONLY_OVERRIDE set globally makes every subject read-only, whatever its own
 * mode. IMPORT (registering with given ids) and FORWARD are parsed so they can be refused with a
 * reason instead of an unknown-mode error.
 */
public enum RegistryMode {
  READWRITE,
  READONLY,
  READONLY_OVERRIDE,
  IMPORT,
  FORWARD;

  /** Registrations and deletes are refused. */
  public boolean readOnly() {
    return this == READONLY || this == READONLY_OVERRIDE;
  }

  /**
   * Parses a mode, case-insensitively.
   *
   * @throws SchemaRegistryException HTTP 422, error code 42204, for an unknown mode, with
   *     Confluent's message ({@code RestInvalidModeException})
   */
  public static RegistryMode parse(String mode) {
    if (mode != null) {
      try {
        return valueOf(mode.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // an unknown name is the caller's error, answered below with the registry's code
      }
    }
    throw new SchemaRegistryException(
        422,
        RegistryErrors.INVALID_MODE,
        "Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD.");
  }
}
