package io.gpuward.contract;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers, at a role's start, the value schemas of the topics it writes ({@link
 * RoleAcls#registers}). With that done up front, production runs with {@code
 * schema.registry.auto.register=false}: serializers only look their subject up, and no reader or
 * operator tool ever meets a subject that does not exist yet. Registering a schema the subject
 * already holds returns its id, so every restart may do it again.
 */
public final class SchemaRegistration {
  private static final Logger log = LoggerFactory.getLogger(SchemaRegistration.class);

  private SchemaRegistration() {}

  /**
   * Registers the schemas {@code role} owns; returns schema ids by subject.
   *
   * @throws SchemaRegistryException when the registry refuses one (e.g. an incompatible change)
   */
  public static Map<String, Integer> register(
      KafkaRole role, Topics topics, SchemaRegistry registry) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (String id : RoleAcls.registers(role)) {
      Topic<?> topic = topics.byId(id);
      Schema schema = SpecificData.getForClass(topic.valueType()).getSchema(topic.valueType());
      String subject = topic.spec().valueSubject();
      ids.put(subject, registry.register(subject, schema));
    }
    log.info("role {} registered its value schemas: {}", role.id(), ids);
    return ids;
  }
}
