package io.gpuward.exporter.kube;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.gpuward.kube.KubeTimes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Container start failures in a Pod's status and in Pod Events. Pure: no state, no I/O. */
final class StartFailures {
  private StartFailures() {}

  /** Container waiting/terminated reasons that mean the container could not be started. */
  static final Set<String> CONTAINER_REASONS =
      Set.of("StartError", "CreateContainerError", "RunContainerError", "ContainerCannotRun");

  /** Pod status reason of a device-plugin admission failure. */
  static final String UNEXPECTED_ADMISSION = "UnexpectedAdmissionError";

  static final String FAILED_SANDBOX = "FailedCreatePodSandBox";
  static final String FAILED = "Failed";

  /** Pod Event reasons that can report a start failure (watched server-side by reason). */
  static final Set<String> EVENT_REASONS = Set.of(FAILED_SANDBOX, FAILED, UNEXPECTED_ADMISSION);

  /**
   * Fragments (lowercase) of a kubelet {@code Failed} event message that mark a container start
   * failure from the runtime, toolkit or CDI; the same reason also reports image pulls, which are
   * not start failures.
   */
  private static final List<String> START_FAILURE_FRAGMENTS =
      List.of(
          "failed to create containerd task",
          "failed to create containerd container",
          "failed to start containerd task",
          "failed to create shim",
          "oci runtime create failed",
          "oci runtime start failed",
          "runc create failed",
          "error during container init",
          "nvidia-container-cli",
          "cdi device injection failed",
          "unresolvable cdi devices",
          "could not apply required modification to oci specification",
          "executable file not found",
          "cannot open shared object file");

  private static final Pattern CONTAINER_IN_FIELD_PATH =
      Pattern.compile("spec\\.(?:initContainers|containers|ephemeralContainers)\\{([^}]+)}");

  /**
   * One start failure.
   *
   * @param namespace pod namespace
   * @param pod pod name
   * @param container container name, null for a pod-level failure (sandbox, admission)
   * @param reason waiting/terminated reason, pod status reason or event reason
   * @param message the full error text
   * @param at when it happened, null when the object does not say
   * @param idSuffix identifies this occurrence (deterministic)
   */
  record StartFailure(
      String namespace,
      String pod,
      String container,
      String reason,
      String message,
      Instant at,
      String idSuffix) {}

  /** The start failures the Pod's status shows now (container states and pod status reason). */
  static List<StartFailure> fromPod(Pod p) {
    List<StartFailure> out = new ArrayList<>();
    if (p.getMetadata() == null || p.getStatus() == null) {
      return out;
    }
    String ns = p.getMetadata().getNamespace();
    String name = p.getMetadata().getName();
    String podUid = p.getMetadata().getUid() != null ? p.getMetadata().getUid() : ns + "/" + name;
    if (UNEXPECTED_ADMISSION.equals(p.getStatus().getReason())) {
      String msg = p.getStatus().getMessage();
      out.add(
          new StartFailure(
              ns,
              name,
              null,
              UNEXPECTED_ADMISSION,
              msg,
              null,
              podUid + "/pod/" + UNEXPECTED_ADMISSION + "/" + hash(msg)));
    }
    for (List<ContainerStatus> statuses :
        List.of(
            nonNull(p.getStatus().getInitContainerStatuses()),
            nonNull(p.getStatus().getContainerStatuses()),
            nonNull(p.getStatus().getEphemeralContainerStatuses()))) {
      for (ContainerStatus cs : statuses) {
        if (cs == null || cs.getName() == null) {
          continue;
        }
        fromState(ns, name, podUid, cs.getName(), cs.getState(), out);
        fromState(ns, name, podUid, cs.getName(), cs.getLastState(), out);
      }
    }
    return out;
  }

  private static void fromState(
      String ns,
      String pod,
      String podUid,
      String container,
      ContainerState state,
      List<StartFailure> out) {
    if (state == null) {
      return;
    }
    ContainerStateWaiting w = state.getWaiting();
    if (w != null && CONTAINER_REASONS.contains(w.getReason())) {
      out.add(
          new StartFailure(
              ns,
              pod,
              container,
              w.getReason(),
              w.getMessage(),
              null,
              podUid + "/" + container + "/waiting/" + w.getReason() + "/" + hash(w.getMessage())));
    }
    ContainerStateTerminated t = state.getTerminated();
    if (t != null && CONTAINER_REASONS.contains(t.getReason())) {
      Instant at = KubeTimes.first(t.getFinishedAt(), t.getStartedAt());
      // The same attempt moves from state to lastState: identify it by container id and time.
      String attempt =
          (at != null ? Long.toString(at.toEpochMilli()) : "-") + "/" + hash(t.getContainerID());
      out.add(
          new StartFailure(
              ns,
              pod,
              container,
              t.getReason(),
              t.getMessage(),
              at,
              podUid + "/" + container + "/terminated/" + t.getReason() + "/" + attempt));
    }
  }

  /**
   * The start failure a Pod Event reports: every {@code FailedCreatePodSandBox} and {@code
   * UnexpectedAdmissionError}, and {@code Failed} when its message is a runtime/toolkit/CDI error.
   * The id suffix is left to the caller (it needs the event's uid and count).
   */
  static Optional<StartFailure> fromEvent(Event e, Instant at) {
    if (e.getInvolvedObject() == null || !"Pod".equals(e.getInvolvedObject().getKind())) {
      return Optional.empty();
    }
    String reason = e.getReason();
    if (!EVENT_REASONS.contains(reason)) {
      return Optional.empty();
    }
    if (FAILED.equals(reason) && !isStartFailureMessage(e.getMessage())) {
      return Optional.empty();
    }
    return Optional.of(
        new StartFailure(
            e.getInvolvedObject().getNamespace(),
            e.getInvolvedObject().getName(),
            containerOf(e.getInvolvedObject().getFieldPath()),
            reason,
            e.getMessage(),
            at,
            null));
  }

  /** Whether a {@code Failed} event message is a container start failure (not an image pull). */
  static boolean isStartFailureMessage(String message) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    for (String f : START_FAILURE_FRAGMENTS) {
      if (m.contains(f)) {
        return true;
      }
    }
    return false;
  }

  /** The container named by an event's {@code involvedObject.fieldPath}, or null. */
  static String containerOf(String fieldPath) {
    if (fieldPath == null) {
      return null;
    }
    Matcher m = CONTAINER_IN_FIELD_PATH.matcher(fieldPath);
    return m.find() ? m.group(1) : null;
  }

  /**
   * The message as the runtime wrote it: kubelet events prefix the container status text with
   * {@code "Error: "}.
   */
  static String normalized(String message) {
    if (message == null) {
      return "";
    }
    String m = message.strip();
    return m.startsWith("Error: ") ? m.substring("Error: ".length()).strip() : m;
  }

  private static <T> List<T> nonNull(List<T> l) {
    return l != null ? l : List.of();
  }

  private static String hash(String s) {
    return s == null ? "0" : Integer.toHexString(s.hashCode());
  }
}
