package io.gpuward.remediation.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreconditionsBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.gpuward.avro.RemediationAction;
import io.gpuward.kube.KubeIds;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.DraDevice;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterPort} against a real Kubernetes API server through fabric8.
 *
 * <ul>
 *   <li><b>Cordon</b> is one JSON merge patch of {@code spec.unschedulable=true} and the annotation
 *       {@value #CORDONED_BY} = operation id, with the {@code metadata.resourceVersion} read just
 *       before as a precondition, so a cordon by someone else between the read and the patch is a
 *       409 (re-read, then refused) rather than a cordon gpuward would later claim as its own. The
 *       same patch adds gpuward's NoSchedule taint and health label ({@link HealthMark}):
 *       schedulers such as Kueue react to a taint, not to {@code spec.unschedulable}. Taints are a
 *       list a merge patch replaces whole, so the list written is the one read plus gpuward's
 *       taint, and the resourceVersion precondition turns a taint the node lifecycle controller
 *       added meanwhile into a 409 and a re-read ({@link NodeMarks}).
 *   <li><b>Uncordon</b> undoes only gpuward's cordon (annotation, taint, label): without the
 *       annotation it does nothing. {@link #markHealth} changes the label of a node gpuward
 *       cordoned as its remediation moves on, best effort.
 *   <li><b>Events</b>: every action gpuward takes on a node is recorded as a core/v1 Event on it
 *       (reason {@code Gpuward<Action>}, {@code Gpuward<Action>Failed} as a Warning), named after
 *       the operation id so a repeat is a 409, not a second event.
 *   <li><b>Drain</b> evicts through the Eviction API (PodDisruptionBudgets honoured), retries a
 *       refused eviction (429) or a server error with bounded exponential backoff until the
 *       deadline, then waits for the evicted pods to leave the node.
 * </ul>
 *
 * <p>Build the client with {@link KubernetesClients}, which turns fabric8's own retries off; this
 * class does its own, bounded by the deadline. Every failure is an {@link ActuatorException}
 * classified by {@link KubernetesFailures}. Names are validated (DNS-1123) before they reach an API
 * path.
 */
public final class KubernetesClusterActuator implements ClusterPort {

  /** Annotation gpuward writes on a node it cordons; its value is the operation id. */
  public static final String CORDONED_BY = "gpuward.io/cordoned-by";

  /** The extended resource the NVIDIA device plugin advertises. */
  static final String GPU_RESOURCE = "nvidia.com/gpu";

  /** Annotation the kubelet puts on mirror pods of static pods. */
  public static final String MIRROR_POD = "kubernetes.io/config.mirror";

  private static final Logger log = LoggerFactory.getLogger(KubernetesClusterActuator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_OPERATION_ID = 253;

  private final KubernetesClient client;
  private final Clock clock;
  private final Sleeper sleeper;
  private final KubernetesActuatorSettings settings;
  private final JobGpuReset resetJobs;
  private final DeviceTaints deviceTaints;

  /** With the default GPU reset Job ({@link ResetJobSettings#defaults()}). */
  public KubernetesClusterActuator(
      KubernetesClient client, Clock clock, Sleeper sleeper, KubernetesActuatorSettings settings) {
    this(client, clock, sleeper, settings, ResetJobSettings.defaults());
  }

  /**
   * @param client a client built by {@link KubernetesClients} (fabric8 retries off)
   * @param clock time source for drain deadlines
   * @param sleeper waits between retries
   * @param settings backoff and retry bounds
   * @param resetJob namespace, image and runtime class of the GPU reset Job
   */
  public KubernetesClusterActuator(
      KubernetesClient client,
      Clock clock,
      Sleeper sleeper,
      KubernetesActuatorSettings settings,
      ResetJobSettings resetJob) {
    this(client, clock, sleeper, settings, resetJob, DraSettings.defaults());
  }

  /**
   * @param client a client built by {@link KubernetesClients} (fabric8 retries off)
   * @param clock time source for drain deadlines
   * @param sleeper waits between retries
   * @param settings backoff and retry bounds
   * @param resetJob namespace, image and runtime class of the GPU reset Job
   * @param dra the DRA driver whose devices a per-GPU repair taints, and the API versions
   */
  public KubernetesClusterActuator(
      KubernetesClient client,
      Clock clock,
      Sleeper sleeper,
      KubernetesActuatorSettings settings,
      ResetJobSettings resetJob,
      DraSettings dra) {
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.resetJobs =
        new JobGpuReset(client, clock, sleeper, Objects.requireNonNull(resetJob, "resetJob"));
    this.deviceTaints = new DeviceTaints(client, Objects.requireNonNull(dra, "dra"));
  }

  /** The node, with the devices the configured DRA driver publishes for it (one list call). */
  @Override
  public Optional<LiveNode> node(String name) {
    requireName(name);
    return getNode(name)
        .map(this::toLiveNode)
        .map(n -> n.withDraDevices(deviceTaints.devices(name)));
  }

  /**
   * One KEP-5055 DeviceTaintRule per device ({@link DeviceTaints}); 409 is a rule this session
   * created already. A version the server does not serve is a 404, so PERMANENT.
   */
  @Override
  public void taintDevices(String node, List<DraDevice> devices, String session) {
    requireName(node);
    DeviceTaints.requireSession(session);
    deviceTaints.taint(node, devices, session);
  }

  @Override
  public int untaintDevices(String node, String session) {
    requireName(node);
    DeviceTaints.requireSession(session);
    return deviceTaints.untaint(node, session);
  }

  /** Namespace of the Events gpuward records about nodes (cluster-scoped objects). */
  public static final String EVENT_NAMESPACE = "default";

  /** {@code source.component} and {@code reportingComponent} of gpuward's Events. */
  public static final String EVENT_COMPONENT = "gpuward-remediator";

  private static final int EVENT_MESSAGE_MAX = 1024;

  @Override
  public void recordEvent(
      String node, RemediationAction action, boolean ok, String operationId, String message) {
    if (!KubeIds.isNodeName(node) || operationId == null) {
      return;
    }
    String reason = eventReason(action, ok);
    String at =
        DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    String name =
        node
            + "."
            + java.util
                .UUID
                .nameUUIDFromBytes((operationId + "/" + reason).getBytes(StandardCharsets.UTF_8))
                .toString()
                .replace("-", "")
                .substring(0, 16);
    String text = message == null ? reason : message;
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name.length() > 253 ? name.substring(name.length() - 253) : name)
            .withNamespace(EVENT_NAMESPACE)
            .addToLabels("app.kubernetes.io/name", "gpuward")
            .addToAnnotations("gpuward.io/operation-id", operationId)
            .endMetadata()
            // kubectl describe node finds a node's events by kind, name and uid = node name.
            .withNewInvolvedObject()
            .withApiVersion("v1")
            .withKind("Node")
            .withName(node)
            .withUid(node)
            .endInvolvedObject()
            .withReason(reason)
            .withMessage(
                text.length() > EVENT_MESSAGE_MAX ? text.substring(0, EVENT_MESSAGE_MAX) : text)
            .withType(ok ? "Normal" : "Warning")
            .withNewSource()
            .withComponent(EVENT_COMPONENT)
            .endSource()
            .withReportingComponent(EVENT_COMPONENT)
            .withFirstTimestamp(at)
            .withLastTimestamp(at)
            .withCount(1)
            .build();
    try {
      client.v1().events().inNamespace(EVENT_NAMESPACE).resource(event).create();
      log.debug("event recorded node={} reason={} op={}", node, reason, operationId);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return; // recorded already
      }
      log.warn(
          "cannot record event node={} reason={} op={}: {}",
          node,
          reason,
          operationId,
          e.getMessage());
    } catch (RuntimeException e) {
      log.warn(
          "cannot record event node={} reason={} op={}: {}",
          node,
          reason,
          operationId,
          e.toString());
    }
  }

  /** {@code GpuwardCordon}, {@code GpuwardResetGpu}, {@code GpuwardRebootFailed}, … */
  static String eventReason(RemediationAction action, boolean ok) {
    return ClusterPort.eventReason(action, ok);
  }

  @Override
  public void cordon(String node, String operationId) {
    requireName(node);
    requireOperationId(operationId);
    for (int attempt = 1; ; attempt++) {
      Node n = getNode(node).orElseThrow(() -> notFound(node, "cordon", operationId));
      boolean unschedulable = isUnschedulable(n);
      String owner = annotation(n, CORDONED_BY);
      if (unschedulable && owner == null) {
        log.warn("cordon refused: node={} op={} is cordoned by someone else", node, operationId);
        throw new ActuatorException(
            Kind.PERMANENT,
            "node " + node + " is cordoned by someone else; gpuward leaves it alone");
      }
      if (unschedulable && operationId.equals(owner)) {
        log.info(
            "cordon no-op: node={} op={} already cordoned by this operation", node, operationId);
        return;
      }
      if (tryPatch(node, operationId, "cordon", NodeMarks.cordon(n, operationId), attempt)) {
        log.info(
            "cordoned: node={} op={}{}",
            node,
            operationId,
            owner == null ? "" : " (was cordoned by gpuward operation " + owner + ")");
        return;
      }
    }
  }

  @Override
  public void uncordon(String node, String operationId) {
    requireName(node);
    requireOperationId(operationId);
    for (int attempt = 1; ; attempt++) {
      Optional<Node> found = getNode(node);
      if (found.isEmpty()) {
        log.info("uncordon no-op: node={} op={} no longer exists", node, operationId);
        return;
      }
      Node n = found.get();
      String owner = annotation(n, CORDONED_BY);
      if (owner == null && HealthMark.DEGRADED.value().equals(NodeMarks.healthOf(n))) {
        if (tryPatch(node, operationId, "unmark", NodeMarks.unmark(n), attempt)) {
          log.info("unmarked: node={} op={} (kept schedulable, never cordoned)", node, operationId);
          return;
        }
        continue;
      }
      if (owner == null) {
        log.info(
            "uncordon no-op: node={} op={} carries no {} annotation (unschedulable={})",
            node,
            operationId,
            CORDONED_BY,
            isUnschedulable(n));
        return;
      }
      if (tryPatch(node, operationId, "uncordon", NodeMarks.uncordon(n), attempt)) {
        log.info("uncordoned: node={} op={} (cordoned by operation {})", node, operationId, owner);
        return;
      }
    }
  }

  @Override
  public void markHealth(String node, HealthMark mark) {
    if (!KubeIds.isNodeName(node)) {
      return;
    }
    for (int attempt = 1; attempt <= settings.conflictRetries(); attempt++) {
      try {
        Optional<Node> found = getNode(node);
        if (found.isEmpty() || !markable(found.get(), mark)) {
          return; // only nodes gpuward cordoned carry its mark, but a degraded one's
        }
        if (mark.value().equals(NodeMarks.healthOf(found.get()))) {
          return;
        }
        if (tryPatch(node, "health", "mark", NodeMarks.health(found.get(), mark), attempt)) {
          log.info("marked: node={} {}={}", node, HealthMark.LABEL, mark.value());
          return;
        }
      } catch (ActuatorException e) {
        log.warn(
            "cannot mark node={} {}={}: {}", node, HealthMark.LABEL, mark.value(), e.getMessage());
        return;
      }
    }
  }

  /** DEGRADED goes on a schedulable node only; every other mark on a node gpuward cordoned. */
  private static boolean markable(Node n, HealthMark mark) {
    boolean ours = annotation(n, CORDONED_BY) != null;
    return mark == HealthMark.DEGRADED ? !ours && !isUnschedulable(n) : ours;
  }

  /**
   * Runs {@code nvidia-smi -r -i <gpu>} for each GPU in a privileged pod on the node, as a Job
   * named after the operation ({@link ResetJobs}), and waits for its result. A Job of this
   * operation that exists already (a restart mid-reset) is waited for, not created again.
   */
  @Override
  public void resetGpuByJob(String node, List<String> gpus, String operationId) {
    requireName(node);
    requireOperationId(operationId);
    resetJobs.run(node, List.copyOf(gpus), operationId);
  }

  @Override
  public CommandTrace gpuResetJobTrace(String node, String operationId) {
    if (!KubeIds.isNodeName(node) || operationId == null || operationId.isBlank()) {
      return CommandTrace.unknown("no node or operation to look up");
    }
    return resetJobs.trace(node, operationId);
  }

  @Override
  public DrainResult drain(String node, Duration deadline) {
    requireName(node);
    Objects.requireNonNull(deadline, "deadline");
    Drain d = new Drain(node);
    d.classify(podsOn(node));
    log.info(
        "drain: node={} {} pod(s) to evict, {} DaemonSet and {} mirror/completed pod(s) skipped,"
            + " deadline {}",
        node,
        d.pending.size(),
        d.skippedDaemonSet,
        d.skippedOther,
        deadline);
    return evictAll(d, deadline);
  }

  @Override
  public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
    requireName(node);
    Objects.requireNonNull(deadline, "deadline");
    Set<String> named = Set.copyOf(pods);
    Drain d = new Drain(node);
    d.classify(
        podsOn(node).stream()
            .filter(
                p ->
                    named.contains(
                        p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()))
            .toList());
    log.info(
        "evict pods: node={} {} of {} named pod(s) on the node to evict, deadline {}",
        node,
        d.pending.size(),
        named.size(),
        deadline);
    return evictAll(d, deadline);
  }

  /** Evicts the drain's pending pods and waits for them to leave the node. */
  private DrainResult evictAll(Drain d, Duration deadline) {
    String node = d.node;
    Instant end = clock.instant().plus(deadline);
    evictInRounds(d, end);
    Set<PodRef> leaving = awaitEvictedGone(node, d.evicted, end);
    failIfStillFailing(node, d.failing);
    boolean complete = d.pending.isEmpty() && leaving.isEmpty();
    DrainResult result =
        new DrainResult(d.evicted.size(), d.blocked.size(), d.skippedDaemonSet, complete);
    if (complete) {
      log.info("drained: node={} {}", node, result);
    } else {
      log.warn(
          "drain incomplete: node={} {} ({} evicted pod(s) still terminating; blocked: {})",
          node,
          result,
          leaving.size(),
          d.blocked);
    }
    return result;
  }

  /** One drain's pods: what is left to evict, and what each eviction answered so far. */
  private static final class Drain {
    final String node;
    final Map<PodRef, PodRef> pending = new LinkedHashMap<>();
    final Set<PodRef> evicted = new LinkedHashSet<>();
    final Set<PodRef> blocked = new LinkedHashSet<>();
    final Map<PodRef, RuntimeException> failing = new LinkedHashMap<>();
    int skippedDaemonSet;
    int skippedOther;

    Drain(String node) {
      this.node = node;
    }

    void classify(List<Pod> pods) {
      for (Pod p : pods) {
        if (isDaemonSetPod(p)) {
          skippedDaemonSet++;
        } else if (isMirrorPod(p) || isCompleted(p)) {
          skippedOther++;
        } else {
          PodRef ref = PodRef.of(p);
          requireName(ref.namespace());
          requireName(ref.name());
          pending.put(ref, ref);
        }
      }
    }

    void record(PodRef p, EvictionOutcome o) {
      switch (o) {
        case EVICTED -> {
          evicted.add(p);
          pending.remove(p);
        }
        case GONE -> pending.remove(p);
        case BLOCKED -> blocked.add(p);
      }
      if (o != EvictionOutcome.BLOCKED) {
        blocked.remove(p);
      }
      failing.remove(p);
    }

    void recordFailure(PodRef p, RuntimeException cause) {
      blocked.remove(p);
      failing.put(p, cause);
    }
  }

  /** Evicts every pending pod, round after round with backoff, until none is left or time is up. */
  private void evictInRounds(Drain d, Instant end) {
    Duration delay = settings.initialBackoff();
    for (int round = 1; !d.pending.isEmpty(); round++) {
      for (PodRef p : List.copyOf(d.pending.keySet())) {
        try {
          d.record(p, evictOnce(d.node, p));
        } catch (RetryableEvictionFailure e) {
          d.recordFailure(p, e.cause);
        }
      }
      if (d.pending.isEmpty() || round >= settings.maxEvictionRounds()) {
        return;
      }
      log.info(
          "drain: node={} round {}: {} pod(s) blocked by PodDisruptionBudgets, {} failing;"
              + " retrying in {}",
          d.node,
          round,
          d.blocked.size(),
          d.failing.size(),
          delay);
      if (!sleepWithin(end, delay)) {
        return;
      }
      delay = min(delay.multipliedBy(2), settings.maxBackoff());
    }
  }

  /** Waits for evicted pods to leave the node; returns those still there when it stops waiting. */
  private Set<PodRef> awaitEvictedGone(String node, Set<PodRef> evicted, Instant end) {
    Set<PodRef> leaving = new LinkedHashSet<>(evicted);
    if (!leaving.isEmpty() && kubeletUnreachable(node)) {
      // Only the kubelet finishes a pod's deletion. On a node whose kubelet stopped posting status
      // (a hung node, the reason it is being rebooted) the evicted pods would stay Terminating
      // until it is back, and the drain would block the very reboot that brings it back.
      log.warn(
          "drain: node={} Ready=Unknown (kubelet not posting status): {} evicted pod(s) cannot"
              + " finish terminating until the node is back; counted as gone",
          node,
          leaving.size());
      leaving.clear();
    }
    for (int round = 1; ; round++) {
      leaving.removeIf(p -> hasLeft(node, p));
      if (leaving.isEmpty() || round >= settings.maxEvictionRounds()) {
        return leaving;
      }
      if (!sleepWithin(end, settings.podGonePollInterval())) {
        return leaving;
      }
    }
  }

  private static void failIfStillFailing(String node, Map<PodRef, RuntimeException> failing) {
    if (failing.isEmpty()) {
      return;
    }
    Map.Entry<PodRef, RuntimeException> first = failing.entrySet().iterator().next();
    log.warn(
        "drain failed: node={} {} pod(s) still failing eviction at the deadline, e.g. {}: {}",
        node,
        failing.size(),
        first.getKey(),
        first.getValue().toString());
    throw new ActuatorException(
        Kind.TRANSIENT,
        "drain of node "
            + node
            + ": eviction of "
            + failing.size()
            + " pod(s) still failing at the deadline (e.g. "
            + first.getKey()
            + ")",
        first.getValue());
  }

  // --- nodes ---------------------------------------------------------------------------------

  /** Whether the node lifecycle controller marked the node Ready=Unknown (no kubelet status). */
  private boolean kubeletUnreachable(String node) {
    return getNode(node)
        .map(Node::getStatus)
        .map(st -> st.getConditions() == null ? List.<NodeCondition>of() : st.getConditions())
        .flatMap(cs -> cs.stream().filter(c -> "Ready".equals(c.getType())).findFirst())
        .map(c -> "Unknown".equals(c.getStatus()))
        .orElse(false);
  }

  private Optional<Node> getNode(String name) {
    try {
      return Optional.ofNullable(client.nodes().withName(name).get());
    } catch (RuntimeException e) {
      if (KubernetesFailures.statusCode(e) == 404) {
        return Optional.empty();
      }
      throw KubernetesFailures.toActuatorException("get node " + name, e, false);
    }
  }

  /** Applies a merge patch; false on a 409 that is worth re-reading for, throws otherwise. */
  private boolean tryPatch(
      String node, String operationId, String what, ObjectNode patch, int attempt) {
    try {
      client
          .nodes()
          .withName(node)
          .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(patch));
      return true;
    } catch (RuntimeException e) {
      int code = KubernetesFailures.statusCode(e);
      if (code == 409 && attempt < settings.conflictRetries()) {
        log.info(
            "{} conflict: node={} op={} changed since read (attempt {}), re-reading",
            what,
            node,
            operationId,
            attempt);
        return false;
      }
      if (code == 404) {
        throw notFound(node, what, operationId);
      }
      throw KubernetesFailures.toActuatorException(
          what + " node " + node + " (op " + operationId + ")", e, true);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a node patch", e);
    }
  }

  private LiveNode toLiveNode(Node n) {
    String name = n.getMetadata().getName();
    String bootId =
        n.getStatus() != null && n.getStatus().getNodeInfo() != null
            ? n.getStatus().getNodeInfo().getBootID()
            : null;
    boolean ready =
        n.getStatus() != null
            && n.getStatus().getConditions() != null
            && n.getStatus().getConditions().stream()
                .anyMatch(KubernetesClusterActuator::isReadyTrue);
    String providerId = n.getSpec() != null ? n.getSpec().getProviderID() : null;
    String instanceId =
        KubeIds.parseProviderId(providerId).map(KubeIds.ProviderId::instanceId).orElse(null);
    if (instanceId == null && providerId != null) {
      log.debug("node={} providerID {} names no EC2 instance", name, providerId);
    }
    String asg = annotation(n, settings.asgKey());
    if (asg == null) {
      asg = label(n, settings.asgKey());
    }
    if (asg != null && !KubeIds.isAsgName(asg)) {
      log.warn("node={} ignores invalid Auto Scaling group name under {}", name, settings.asgKey());
      asg = null;
    }
    return LiveNode.named(name)
        .bootId(bootId)
        .ready(ready)
        .unschedulable(isUnschedulable(n))
        .cordonedBy(Optional.ofNullable(annotation(n, CORDONED_BY)))
        .instanceId(instanceId)
        .asgName(asg)
        .labels(n.getMetadata() == null ? Map.of() : labelsOf(n.getMetadata().getLabels()))
        .osImage(
            n.getStatus() != null && n.getStatus().getNodeInfo() != null
                ? n.getStatus().getNodeInfo().getOsImage()
                : null)
        .gpus(gpuCount(n))
        .build();
  }

  /** status.capacity and status.allocatable {@code nvidia.com/gpu}; -1 for one not stated. */
  private static LiveNode.GpuCount gpuCount(Node n) {
    if (n.getStatus() == null) {
      return LiveNode.GpuCount.UNKNOWN;
    }
    return new LiveNode.GpuCount(
        gpus(n.getStatus().getCapacity()), gpus(n.getStatus().getAllocatable()));
  }

  private static int gpus(Map<String, Quantity> resources) {
    if (resources == null || resources.isEmpty()) {
      return -1; // not reported (yet)
    }
    Quantity q = resources.get(GPU_RESOURCE);
    if (q == null) {
      return 0; // resources reported, no device plugin registered: no GPU to offer
    }
    try {
      return q.getNumericalAmount().intValueExact();
    } catch (ArithmeticException | IllegalArgumentException e) {
      log.warn("node {} {} is not a count: {}", GPU_RESOURCE, q, e.getMessage());
      return -1;
    }
  }

  private static Map<String, String> labelsOf(Map<String, String> labels) {
    if (labels == null) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    labels.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            out.put(k, v);
          }
        });
    return out;
  }

  private static boolean isReadyTrue(NodeCondition c) {
    return "Ready".equals(c.getType()) && "True".equals(c.getStatus());
  }

  private static boolean isUnschedulable(Node n) {
    return n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable());
  }

  private static String annotation(Node n, String key) {
    return value(n.getMetadata() == null ? null : n.getMetadata().getAnnotations(), key);
  }

  private static String label(Node n, String key) {
    return value(n.getMetadata() == null ? null : n.getMetadata().getLabels(), key);
  }

  private static String value(Map<String, String> m, String key) {
    if (m == null) {
      return null;
    }
    String v = m.get(key);
    return v == null || v.isBlank() ? null : v;
  }

  // --- pods ----------------------------------------------------------------------------------

  private List<Pod> podsOn(String node) {
    List<Pod> items;
    try {
      items = client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems();
    } catch (RuntimeException e) {
      throw KubernetesFailures.toActuatorException("list pods on node " + node, e, false);
    }
    List<Pod> on = new ArrayList<>();
    for (Pod p : items) {
      if (p.getSpec() != null && node.equals(p.getSpec().getNodeName())) {
        on.add(p);
      }
    }
    return on;
  }

  static boolean isDaemonSetPod(Pod p) {
    List<OwnerReference> owners = p.getMetadata().getOwnerReferences();
    return owners != null
        && owners.stream()
            .anyMatch(
                o -> "DaemonSet".equals(o.getKind()) && !Boolean.FALSE.equals(o.getController()));
  }

  static boolean isMirrorPod(Pod p) {
    Map<String, String> a = p.getMetadata().getAnnotations();
    return a != null && a.containsKey(MIRROR_POD);
  }

  static boolean isCompleted(Pod p) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private enum EvictionOutcome {
    EVICTED,
    GONE,
    BLOCKED
  }

  /** A failure worth retrying within the deadline (5xx, timeouts, throttling). */
  private static final class RetryableEvictionFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final transient RuntimeException cause;

    RetryableEvictionFailure(RuntimeException cause) {
      super(cause.toString(), null, false, false);
      this.cause = cause;
    }
  }

  private EvictionOutcome evictOnce(String node, PodRef p) throws RetryableEvictionFailure {
    Eviction eviction =
        new EvictionBuilder()
            .withNewMetadata()
            .withName(p.name())
            .withNamespace(p.namespace())
            .endMetadata()
            .withDeleteOptions(
                new DeleteOptionsBuilder()
                    .withPreconditions(new PreconditionsBuilder().withUid(p.uid()).build())
                    .build())
            .build();
    try {
      if (client.pods().inNamespace(p.namespace()).withName(p.name()).evict(eviction)) {
        log.info("evicted: node={} pod={}", node, p);
        return EvictionOutcome.EVICTED;
      }
      log.info("eviction refused by a PodDisruptionBudget: node={} pod={}", node, p);
      return EvictionOutcome.BLOCKED;
    } catch (RuntimeException e) {
      int code = KubernetesFailures.statusCode(e);
      if (code == 404) {
        log.info("eviction: node={} pod={} already gone", node, p);
        return EvictionOutcome.GONE;
      }
      if (code == 409 && hasLeft(node, p)) {
        log.info("eviction: node={} pod={} was replaced (uid precondition failed)", node, p);
        return EvictionOutcome.GONE;
      }
      Kind kind = KubernetesFailures.classify(e, true);
      if (kind == Kind.PERMANENT) {
        throw KubernetesFailures.toActuatorException(
            "evict pod " + p + " from node " + node, e, true);
      }
      log.info("eviction failed, will retry: node={} pod={} ({}): {}", node, p, kind, e.toString());
      throw new RetryableEvictionFailure(e);
    }
  }

  /** Whether the pod is no longer on the node: deleted, or replaced by a new pod of that name. */
  private boolean hasLeft(String node, PodRef p) {
    try {
      Pod now = client.pods().inNamespace(p.namespace()).withName(p.name()).get();
      return now == null
          || !Objects.equals(now.getMetadata().getUid(), p.uid())
          || now.getSpec() == null
          || !node.equals(now.getSpec().getNodeName());
    } catch (RuntimeException e) {
      if (KubernetesFailures.statusCode(e) == 404) {
        return true;
      }
      log.info("drain: node={} cannot check pod={} yet: {}", node, p, e.toString());
      return false;
    }
  }

  /** A pod by namespace, name and uid. */
  private record PodRef(String namespace, String name, String uid) {
    static PodRef of(Pod p) {
      ObjectMeta m = p.getMetadata();
      return new PodRef(m.getNamespace(), m.getName(), m.getUid());
    }

    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Sleeps {@code d}, or until {@code end}; false when {@code end} has already passed. */
  private boolean sleepWithin(Instant end, Duration d) {
    Instant now = clock.instant();
    if (!now.isBefore(end)) {
      return false;
    }
    Duration left = Duration.between(now, end);
    try {
      sleeper.sleep(min(d, left));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ActuatorException(Kind.TRANSIENT, "interrupted while draining", e);
    }
    return true;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void requireName(String name) {
    if (!KubeIds.isNodeName(name)) {
      throw new ActuatorException(
          Kind.PERMANENT,
          "'"
              + printable(name)
              + "' is not a valid Kubernetes name (DNS-1123 subdomain); nothing was sent");
    }
  }

  private static void requireOperationId(String operationId) {
    if (operationId == null
        || operationId.isBlank()
        || operationId.length() > MAX_OPERATION_ID
        || operationId.chars().anyMatch(Character::isISOControl)) {
      throw new ActuatorException(
          Kind.PERMANENT, "operation id '" + printable(operationId) + "' is not usable");
    }
  }

  private static ActuatorException notFound(String node, String what, String operationId) {
    return new ActuatorException(
        Kind.PERMANENT,
        "cannot " + what + " node " + node + " (op " + operationId + "): no such node");
  }

  private static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return s.length() > 80 ? b.append('…').toString() : b.toString();
  }
}
