package io.gpuward.contract;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The subset of the Confluent schema registry API gpuward uses. Implemented over HTTP by {@link
 * RegistryClient} (any Confluent-compatible registry, including gpuward's embedded one).
 *
 * <p>Every method throws {@link SchemaRegistryException} carrying the HTTP status and the
 * registry's error code when the registry refuses, and when it cannot be reached.
 */
public interface SchemaRegistry {

  /** A schema as registered under a subject. */
  record Registered(String subject, int id, int version, Schema schema) {}

  /**
   * Registers {@code schema} under {@code subject}; an identical schema gets its existing id.
   * Refused with HTTP 409 when incompatible with the subject's compatibility level.
   */
  int register(String subject, Schema schema);

  /** The schema with global id {@code id}; HTTP 404 / error code 40403 when unknown. */
  Schema schemaById(int id);

  /** The registration of {@code schema} under {@code subject}, if it is registered there. */
  Optional<Registered> lookup(String subject, Schema schema);

  /** Whether {@code schema} is compatible with the latest version under {@code subject}. */
  boolean isCompatible(String subject, Schema schema);

  /** Subjects known to the registry. */
  List<String> subjects();

  /** Sets the compatibility level (e.g. BACKWARD) of {@code subject}, or globally when null. */
  void setCompatibility(String subject, String level);

  /**
   * The compatibility level of {@code subject} (its own, else the global one), or the global level
   * when {@code subject} is null.
   */
  String compatibility(String subject);
}
