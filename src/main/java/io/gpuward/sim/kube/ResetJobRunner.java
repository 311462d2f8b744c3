package io.gpuward.sim.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.gpuward.remediation.k8s.ResetJobs;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.aws.CloudWorld;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs gpuward's GPU reset Jobs in the simulated world, as the Job controller and the kubelet
 * would: a Job created for a node resets its GPUs through the cluster model's reset (the same one
 * the simulated SSM runs), and its status moves from active to succeeded, or to failed when the
 * model cannot reset the GPU (the node is down, not drained, has no such GPU) or the reset did not
 * finish. Other Jobs are stored and never run.
 */
final class ResetJobRunner {
  private static final Logger log = LoggerFactory.getLogger(ResetJobRunner.class);

  private record Running(String path, String instanceId, List<String> gpus, String op) {}

  private final SimulatedCluster cluster;
  private final CrudStore store;
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  ResetJobRunner(SimulatedCluster cluster, CrudStore store) {
    this.cluster = cluster;
    this.store = store;
  }

  /** A Job a client created: started when it is a gpuward GPU reset Job. */
  void created(String path, String json) {
    Job job = store.json().unmarshal(json, Job.class);
    var meta = job.getMetadata();
    String op =
        meta.getAnnotations() == null ? null : meta.getAnnotations().get(ResetJobs.OPERATION_ID);
    if (op == null
        || !ResetJobs.COMPONENT.equals(meta.getLabels().get("app.kubernetes.io/component"))) {
      return;
    }
    var pod = job.getSpec().getTemplate().getSpec();
    List<String> gpus =
        Stream.concat(
                pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream(),
                pod.getContainers().stream())
            .map(Container::getCommand)
            .map(c -> c.get(c.size() - 1))
            .toList();
    Instant now = cluster.clock().instant();
    Optional<String> instance = cluster.node(pod.getNodeName()).map(LiveNode::instanceId);
    if (instance.isEmpty()) {
      finish(
          path, job, false, "NodeNotFound", "node " + pod.getNodeName() + " does not exist", now);
      return;
    }
    try {
      for (String gpu : gpus) {
        cluster.resetGpu(instance.get(), gpu, op);
      }
    } catch (ActuatorException e) {
      finish(path, job, false, "PodFailed", "nvidia-smi -r failed: " + e.getMessage(), now);
      return;
    }
    job.setStatus(new JobStatusBuilder().withActive(1).withStartTime(time(now)).build());
    store.replace(path, job);
    running.put(path, new Running(path, instance.get(), gpus, op));
    log.info(
        "kube world: GPU reset Job {} running node={} gpus={} op={}",
        path,
        pod.getNodeName(),
        gpus,
        op);
  }

  /** Moves each running Job on by what the cluster model's resets show now. */
  void sync() {
    for (Running r : List.copyOf(running.values())) {
      List<CloudWorld.GpuReset> each = new ArrayList<>();
      for (String gpu : r.gpus()) {
        each.add(cluster.gpuReset(r.instanceId(), gpu, r.op()));
      }
      if (each.stream().anyMatch(g -> g.state() == CloudWorld.ResetState.IN_PROGRESS)) {
        continue;
      }
      String json = store.get(r.path());
      running.remove(r.path());
      if (json == null) {
        continue; // deleted meanwhile
      }
      Job job = store.json().unmarshal(json, Job.class);
      boolean ok = each.stream().allMatch(g -> g.state() == CloudWorld.ResetState.SUCCEEDED);
      String detail = String.join("; ", each.stream().map(CloudWorld.GpuReset::detail).toList());
      finish(r.path(), job, ok, ok ? null : "PodFailed", detail, cluster.clock().instant());
    }
  }

  private void finish(String path, Job job, boolean ok, String reason, String message, Instant at) {
    JobStatus st =
        new JobStatusBuilder()
            .withStartTime(job.getStatus() == null ? time(at) : job.getStatus().getStartTime())
            .withSucceeded(ok ? 1 : 0)
            .withFailed(ok ? 0 : 1)
            .withActive(0)
            .withCompletionTime(ok ? time(at) : null)
            .withConditions(
                new JobConditionBuilder()
                    .withType(ok ? "Complete" : "Failed")
                    .withStatus("True")
                    .withReason(reason)
                    .withMessage(message)
                    .withLastTransitionTime(time(at))
                    .build())
            .build();
    job.setStatus(st);
    store.replace(path, job);
    log.info("kube world: GPU reset Job {} {}: {}", path, ok ? "succeeded" : "failed", message);
  }

  private static String time(Instant at) {
    return WorldObjects.time(at);
  }
}
