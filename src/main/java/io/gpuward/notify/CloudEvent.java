package io.gpuward.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A CloudEvents 1.0 event in structured JSON mode ({@code application/cloudevents+json}).
 *
 * @param id unique per occurrence: receivers drop repeats by it (delivery is at least once)
 * @param type reverse-DNS event type, e.g. {@code io.gpuward.escalation}
 * @param subject the node or the incident scope
 */
public record CloudEvent(
    String id, String source, String type, String subject, Instant time, ObjectNode data) {

  public static final String CONTENT_TYPE = "application/cloudevents+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  public CloudEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(data, "data");
  }

  /** The event as the JSON body of one request. */
  public byte[] toJson() {
    ObjectNode e = JSON.createObjectNode();
    e.put("specversion", "1.0");
    e.put("id", id);
    e.put("source", source);
    e.put("type", type);
    if (subject != null) {
      e.put("subject", subject);
    }
    e.put("time", time.toString());
    e.put("datacontenttype", "application/json");
    e.set("data", data);
    try {
      return JSON.writeValueAsBytes(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot render CloudEvent " + id, ex);
    }
  }
}
