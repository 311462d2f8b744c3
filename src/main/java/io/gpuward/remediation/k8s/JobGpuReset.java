package io.gpuward.remediation.k8s;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import io.gpuward.remediation.port.CommandTrace;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a GPU reset as a Job ({@link ResetJobs}) and reads it back. A create answered 409 means the
 * Job of this operation was sent already (a remediator restarted mid-reset): it is waited for,
 * never created twice. The Job's status is the reset's history, as SSM's command history is for the
 * SSM path: succeeded, failed (with the pod's termination message), active, or absent.
 */
final class JobGpuReset {
  private static final Logger log = LoggerFactory.getLogger(JobGpuReset.class);
  private static final int MESSAGE_MAX = 400;

  private final KubernetesClient client;
  private final Clock clock;
  private final Sleeper sleeper;
  private final ResetJobSettings settings;

  JobGpuReset(KubernetesClient client, Clock clock, Sleeper sleeper, ResetJobSettings settings) {
    this.client = client;
    this.clock = clock;
    this.sleeper = sleeper;
    this.settings = settings;
  }

  /** Creates the Job (or finds it) and waits for its result; throws when it did not succeed. */
  void run(String node, List<String> gpus, String operationId) {
    if (gpus.isEmpty() || !gpus.stream().allMatch(ResetJobs::isGpuId)) {
      throw new ActuatorException(
          Kind.PERMANENT, "not GPU ids (UUID or index): " + gpus + "; nothing was sent");
    }
    String name = ResetJobs.name(operationId);
    create(ResetJobs.job(settings, node, gpus, operationId), operationId);
    Instant deadline =
        clock.instant().plus(settings.activeDeadline()).plus(settings.pollInterval());
    while (true) {
      CommandTrace t = trace(node, operationId);
      switch (t.state()) {
        case SUCCEEDED -> {
          log.info("GPU reset Job succeeded node={} job={} op={}", node, name, operationId);
          return;
        }
        case FAILED -> throw new ActuatorException(Kind.PERMANENT, t.detail());
        case NOT_SENT ->
            throw new ActuatorException(
                Kind.AMBIGUOUS, "the reset Job was created, then went away: " + t.detail());
        default -> {
          if (!clock.instant().isBefore(deadline)) {
            throw new ActuatorException(
                Kind.AMBIGUOUS,
                "no result within "
                    + settings.activeDeadline()
                    + ": "
                    + t.detail()
                    + "; the GPU may or may not have been reset");
          }
          pause(name);
        }
      }
    }
  }

  private void create(Job job, String operationId) {
    String where = settings.namespace() + "/" + job.getMetadata().getName();
    try {
      client.batch().v1().jobs().inNamespace(settings.namespace()).resource(job).create();
      log.info(
          "GPU reset Job created job={} node={} gpus={} op={}",
          where,
          job.getSpec().getTemplate().getSpec().getNodeName(),
          job.getMetadata().getAnnotations().get(ResetJobs.GPUS),
          operationId);
    } catch (RuntimeException e) {
      if (KubernetesFailures.statusCode(e) != 409) {
        throw KubernetesFailures.toActuatorException("create Job " + where, e, true);
      }
      String owner = get(job.getMetadata().getName()).map(JobGpuReset::operationOf).orElse(null);
      if (owner != null && !owner.equals(operationId)) {
        throw new ActuatorException(
            Kind.PERMANENT, "Job " + where + " belongs to operation " + owner + ", not this one");
      }
      log.info("GPU reset Job already sent job={} op={}: reading it", where, operationId);
    }
  }

  /** What the Job of {@code operationId} shows; never throws. */
  CommandTrace trace(String node, String operationId) {
    String name = ResetJobs.name(operationId);
    String where = "Job " + settings.namespace() + "/" + name + " on " + node;
    Optional<Job> job;
    try {
      job = get(name);
    } catch (RuntimeException e) {
      return CommandTrace.unknown("cannot read " + where + ": " + e.getMessage());
    }
    if (job.isEmpty()) {
      return new CommandTrace(
          CommandTrace.State.NOT_SENT, "no " + where + " (op " + operationId + ")");
    }
    JobStatus st = job.get().getStatus();
    if (st != null && (positive(st.getSucceeded()) || condition(st, "Complete").isPresent())) {
      return new CommandTrace(CommandTrace.State.SUCCEEDED, where + " succeeded");
    }
    Optional<JobCondition> failed = st == null ? Optional.empty() : condition(st, "Failed");
    if (st != null && (positive(st.getFailed()) || failed.isPresent())) {
      String why = failed.map(c -> c.getReason() + ": " + c.getMessage()).orElse("failed");
      return new CommandTrace(
          CommandTrace.State.FAILED, where + " failed (" + why + ")" + terminations(name));
    }
    return new CommandTrace(CommandTrace.State.IN_PROGRESS, where + " is running");
  }

  private Optional<Job> get(String name) {
    return Optional.ofNullable(
        client.batch().v1().jobs().inNamespace(settings.namespace()).withName(name).get());
  }

  /** The failed containers of the Job's pods: name, exit code, reason and termination message. */
  private String terminations(String jobName) {
    List<String> out = new ArrayList<>();
    try {
      for (Pod p :
          client
              .pods()
              .inNamespace(settings.namespace())
              .withLabel(ResetJobs.JOB_NAME_LABEL, jobName)
              .list()
              .getItems()) {
        if (p.getStatus() == null) {
          continue;
        }
        Stream.concat(
                statuses(p.getStatus().getInitContainerStatuses()),
                statuses(p.getStatus().getContainerStatuses()))
            .forEach(c -> failure(c).ifPresent(out::add));
      }
    } catch (RuntimeException e) {
      return "; its pods cannot be read: " + e.getMessage();
    }
    return out.isEmpty() ? "" : "; " + String.join("; ", out);
  }

  private static Stream<ContainerStatus> statuses(List<ContainerStatus> l) {
    return l == null ? Stream.empty() : l.stream();
  }

  private static Optional<String> failure(ContainerStatus c) {
    ContainerStateTerminated t = c.getState() == null ? null : c.getState().getTerminated();
    if (t == null || t.getExitCode() == null || t.getExitCode() == 0) {
      return Optional.empty();
    }
    String msg = t.getMessage() == null ? "" : t.getMessage().strip();
    if (msg.length() > MESSAGE_MAX) {
      msg = msg.substring(0, MESSAGE_MAX) + "…";
    }
    return Optional.of(
        "container "
            + c.getName()
            + " exit code "
            + t.getExitCode()
            + " ("
            + t.getReason()
            + ")"
            + (msg.isEmpty() ? "" : ": " + msg));
  }

  private static Optional<JobCondition> condition(JobStatus st, String type) {
    if (st.getConditions() == null) {
      return Optional.empty();
    }
    return st.getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }

  private static boolean positive(Integer n) {
    return n != null && n > 0;
  }

  private static String operationOf(Job j) {
    return j.getMetadata().getAnnotations() == null
        ? null
        : j.getMetadata().getAnnotations().get(ResetJobs.OPERATION_ID);
  }

  private void pause(String name) {
    try {
      sleeper.sleep(settings.pollInterval());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ActuatorException(
          Kind.AMBIGUOUS, "interrupted while the reset Job " + name + " runs", e);
    }
  }
}
