package io.gpuward.remediation.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import io.gpuward.remediation.port.DraDevice;
import io.gpuward.remediation.port.HealthMark;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's DRA devices (ResourceSlices of the configured driver) and gpuward's KEP-5055
 * DeviceTaintRules on them, through fabric8's generic resources so that the {@code resource.k8s.io}
 * versions are configuration ({@link DraSettings}).
 *
 * <p>A rule is named after the fault session and the device ({@link #ruleName}), so a restarted
 * remediator that creates it again gets 409 and takes it as done; it carries the labels {@value
 * #MANAGED_BY}={@value #GPUWARD} and {@value #SESSION}, by which the return to service finds and
 * deletes only gpuward's own rules of that session.
 */
final class DeviceTaints {
  private static final Logger log = LoggerFactory.getLogger(DeviceTaints.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String GPUWARD = "gpuward";
  static final String SESSION = "gpuward.io/session";
  static final String NODE = "gpuward.io/node";

  /** Effect of gpuward's device taint: no new claim gets the device; gpuward evicts the pods. */
  static final String EFFECT = "NoSchedule";

  private final KubernetesClient client;
  private final DraSettings settings;
  private final ResourceDefinitionContext slices;
  private final ResourceDefinitionContext rules;

  DeviceTaints(KubernetesClient client, DraSettings settings) {
    this.client = client;
    this.settings = settings;
    this.slices = context(settings.sliceApiVersion(), "resourceslices", "ResourceSlice");
    this.rules = context(settings.taintRuleApiVersion(), "devicetaintrules", "DeviceTaintRule");
  }

  private static ResourceDefinitionContext context(String apiVersion, String plural, String kind) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(DraSettings.GROUP)
        .withVersion(DraSettings.versionOf(apiVersion))
        .withPlural(plural)
        .withKind(kind)
        .withNamespaced(false)
        .build();
  }

  /** {@code gpuward-<session>-<device>}: one rule per device, as a rule selects one by name. */
  static String ruleName(String session, String device) {
    return GPUWARD + "-" + session + "-" + device;
  }

  /**
   * The devices the configured driver publishes for {@code node}; empty when DRA is off, the node
   * has no slice of the driver, or the slices cannot be read (the repair then decides from
   * allocatable, as without DRA).
   */
  List<DraDevice> devices(String node) {
    if (!settings.enabled()) {
      return List.of();
    }
    List<GenericKubernetesResource> items;
    try {
      items =
          client
              .genericKubernetesResources(slices)
              .withField("spec.nodeName", node)
              .withField("spec.driver", settings.driver())
              .list()
              .getItems();
    } catch (KubernetesClientException e) {
      // Not served (no DRA), or not allowed: decided from allocatable instead, said at debug only
      // since every observation of a node would repeat it.
      log.debug(
          "node={} ResourceSlices of {} unreadable: {}", node, settings.driver(), e.getCode());
      return List.of();
    }
    List<DraDevice> out = new ArrayList<>();
    for (GenericKubernetesResource r : items) {
      JsonNode spec = JSON.valueToTree(r).path("spec");
      // A server that ignores field selectors (or an old one) still answers with every slice.
      if (node.equals(spec.path("nodeName").asText())
          && settings.driver().equals(spec.path("driver").asText())) {
        out.addAll(devicesOf(settings.driver(), spec));
      }
    }
    return out;
  }

  /** The devices of one slice's spec: v1 and v1beta2 list attributes flat, v1beta1 under basic. */
  static List<DraDevice> devicesOf(String driver, JsonNode spec) {
    String pool = spec.path("pool").path("name").asText("");
    List<DraDevice> out = new ArrayList<>();
    for (JsonNode d : spec.path("devices")) {
      String name = d.path("name").asText("");
      if (name.isEmpty() || pool.isEmpty()) {
        continue;
      }
      JsonNode attrs =
          d.has("attributes") ? d.path("attributes") : d.path("basic").path("attributes");
      JsonNode uuid = attribute(attrs, driver, "uuid").path("string");
      JsonNode index = attribute(attrs, driver, "index").path("int");
      out.add(
          new DraDevice(
              driver,
              pool,
              name,
              uuid.isTextual() ? uuid.asText() : null,
              index.canConvertToInt() ? index.asInt() : null));
    }
    return out;
  }

  /** An attribute by its short name, or qualified with the driver's domain. */
  private static JsonNode attribute(JsonNode attrs, String driver, String name) {
    JsonNode a = attrs.path(name);
    return a.isMissingNode() ? attrs.path(driver + "/" + name) : a;
  }

  /** Creates one rule per device; a rule of that name already there counts as done. */
  void taint(String node, List<DraDevice> devices, String session) {
    for (DraDevice d : devices) {
      String name = ruleName(session, d.name());
      try {
        client.genericKubernetesResources(rules).resource(rule(node, d, session)).create();
        log.info("device taint: node={} rule={} device={} session={}", node, name, d.id(), session);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          log.info("device taint no-op: node={} rule={} exists already", node, name);
          continue;
        }
        throw KubernetesFailures.toActuatorException(
            "DeviceTaintRule " + name + " (" + settings.taintRuleApiVersion() + ")", e, true);
      }
    }
  }

  private GenericKubernetesResource rule(String node, DraDevice d, String session) {
    Map<String, Object> selector = new LinkedHashMap<>();
    selector.put("driver", d.driver());
    selector.put("pool", d.pool());
    selector.put("device", d.name());
    Map<String, Object> taint = new LinkedHashMap<>();
    taint.put("key", HealthMark.TAINT_KEY);
    taint.put("effect", EFFECT);
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("deviceSelector", selector);
    spec.put("taint", taint);
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(settings.taintRuleApiVersion())
        .withKind("DeviceTaintRule")
        .withNewMetadata()
        .withName(ruleName(session, d.name()))
        .addToLabels(MANAGED_BY, GPUWARD)
        .addToLabels(SESSION, session)
        .addToAnnotations(NODE, node)
        .addToAnnotations("gpuward.io/device", d.id())
        .endMetadata()
        .addToAdditionalProperties("spec", spec)
        .build();
  }

  /**
   * Deletes gpuward's rules of {@code session}; how many. A server that does not serve the rules,
   * or does not let gpuward list them, has none of gpuward's to delete.
   */
  int untaint(String node, String session) {
    List<GenericKubernetesResource> ours;
    try {
      ours =
          client
              .genericKubernetesResources(rules)
              .withLabel(MANAGED_BY, GPUWARD)
              .withLabel(SESSION, session)
              .list()
              .getItems();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 403) {
        log.debug(
            "node={} session={}: DeviceTaintRules not listed: {}", node, session, e.getCode());
        return 0;
      }
      throw KubernetesFailures.toActuatorException("list DeviceTaintRules of " + session, e, false);
    }
    int deleted = 0;
    for (GenericKubernetesResource r : ours) {
      String name = r.getMetadata().getName();
      try {
        client.genericKubernetesResources(rules).withName(name).delete();
        deleted++;
        log.info("device taint removed: node={} rule={} session={}", node, name, session);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw KubernetesFailures.toActuatorException("delete DeviceTaintRule " + name, e, true);
        }
      }
    }
    return deleted;
  }

  /** Refuses a session id that cannot be part of a rule name or a label value. */
  static void requireSession(String session) {
    if (session == null || !session.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new ActuatorException(Kind.PERMANENT, "not a session id for a rule name: " + session);
    }
  }
}
