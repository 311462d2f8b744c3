package io.gpuward.sim;

import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.NodeLabels;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.sim.ClusterModel.Instance;
import io.gpuward.sim.ClusterModel.Node;
import io.gpuward.sim.ClusterModel.State;
import io.gpuward.sim.aws.CloudWorld;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU resets as SSM runs them ({@code nvidia-smi -r -i <gpu>} on the instance): refused on a node
 * still running workload pods, done after {@link SimulatedCluster.Settings#gpuResetDuration()}
 * unless the instance rebooted or went away meanwhile, and traceable by idempotency token. Apart
 * from the instances because its outcome is a command's history, read back by the remediator's
 * verification. Not thread-safe: the facade's lock guards every access.
 */
final class GpuResets {

  private static final Logger log = LoggerFactory.getLogger(GpuResets.class);

  private final ClusterModel model;
  private final ClusterTimeline timeline;
  private final ClusterJournal journal;
  private final CloudInstances instances;
  private final Workloads workloads;
  private final SimulatedCluster.Settings settings;
  private final Set<String> tokens = new HashSet<>();
  private final Map<String, CloudWorld.GpuReset> outcomes = new HashMap<>();

  GpuResets(
      ClusterModel model,
      ClusterTimeline timeline,
      ClusterJournal journal,
      CloudInstances instances,
      Workloads workloads,
      SimulatedCluster.Settings settings) {
    this.model = model;
    this.timeline = timeline;
    this.journal = journal;
    this.instances = instances;
    this.workloads = workloads;
    this.settings = settings;
  }

  private static String key(String token, String gpu) {
    return "RESET_GPU|" + token + "|" + gpu;
  }

  CommandTrace trace(String instanceId, String gpu, String token) {
    boolean sent = tokens.contains(key(token, gpu));
    return new CommandTrace(
        sent ? CommandTrace.State.SUCCEEDED : CommandTrace.State.NOT_SENT,
        (sent ? "nvidia-smi -r -i " + gpu + " succeeded" : "no GPU reset of " + gpu)
            + " on "
            + instanceId
            + " with op="
            + token);
  }

  CloudWorld.GpuReset outcome(String instanceId, String gpu, String token) {
    CloudWorld.GpuReset r = outcomes.get(key(token, gpu));
    return r != null
        ? r
        : new CloudWorld.GpuReset(
            CloudWorld.ResetState.UNKNOWN, "no GPU reset of " + gpu + " on " + instanceId);
  }

  void reset(String instanceId, String gpu, String token, Instant now) {
    String target = instanceId + "/" + gpu;
    Instance inst = instances.require(now, "RESET_GPU", target, instanceId, token);
    if (tokens.contains(key(token, gpu))) {
      journal.record(now, "RESET_GPU", target, token, "NOOP", "same token again");
      return;
    }
    int gpuIndex = checkResettable(inst, gpu, target, token, now);
    String resetKey = key(token, gpu);
    tokens.add(resetKey);
    journal.gpuReset();
    String node = inst.node;
    String bootAtCall = inst.bootId;
    String ran = "nvidia-smi -r -i " + gpuIndex;
    outcomes.put(resetKey, new CloudWorld.GpuReset(CloudWorld.ResetState.IN_PROGRESS, ran));
    timeline.schedule(
        now.plus(settings.gpuResetDuration()),
        at -> {
          if (inst.state == State.RUNNING && inst.bootId.equals(bootAtCall)) {
            timeline.change(new ClusterChange.GpuResetCompleted(node, gpuIndex, at));
            outcomes.put(resetKey, new CloudWorld.GpuReset(CloudWorld.ResetState.SUCCEEDED, ran));
            log.info("cluster: GPU reset done node={} gpu={}", node, gpuIndex);
          } else {
            outcomes.put(
                resetKey,
                new CloudWorld.GpuReset(
                    CloudWorld.ResetState.FAILED, "the instance rebooted or went away"));
          }
        });
    journal.record(now, "RESET_GPU", target, token, "ACCEPTED", "nvidia-smi -r -i " + gpuIndex);
    log.info("cluster: GPU reset started node={} gpu={} op={}", node, gpuIndex, token);
  }

  /**
   * The index of the GPU to reset, or a refusal: instance not running, unknown GPU, not drained.
   */
  private int checkResettable(Instance inst, String gpu, String target, String token, Instant now) {
    if (inst.state != State.RUNNING) {
      throw refuse(
          now,
          target,
          token,
          ActuatorException.Kind.TRANSIENT,
          "instance " + inst.id + " is " + inst.state.name().toLowerCase(Locale.ROOT));
    }
    Node n = model.nodes.get(inst.node);
    if (n == null) {
      throw refuse(
          now,
          target,
          token,
          ActuatorException.Kind.PERMANENT,
          "instance " + inst.id + " is not registered in SSM");
    }
    int gpuIndex = gpuIndex(inst, gpu);
    if (gpuIndex < 0) {
      throw refuse(
          now,
          target,
          token,
          ActuatorException.Kind.PERMANENT,
          "GPU " + gpu + " does not exist on " + inst.id);
    }
    // On an NVSwitch baseboard (fabric manager) a GPU reset needs every GPU idle; elsewhere only
    // the GPU reset.
    if (nvswitch(inst) ? workloads.hasWorkload(n) : workloads.hasWorkloadOn(n, Set.of(gpuIndex))) {
      throw refuse(
          now,
          target,
          token,
          ActuatorException.Kind.PERMANENT,
          nvswitch(inst) ? "node not drained" : "GPU " + gpuIndex + " not drained");
    }
    return gpuIndex;
  }

  private ActuatorException refuse(
      Instant now, String target, String token, ActuatorException.Kind kind, String reason) {
    return journal.reject(now, "RESET_GPU", target, token, kind, reason);
  }

  private static final InstanceTypeCatalog TYPES = InstanceTypeCatalog.load();

  private static boolean nvswitch(Instance inst) {
    String type = inst.asg.labels.get(NodeLabels.INSTANCE_TYPE);
    return type == null || TYPES.find(type).map(InstanceType::fabricManager).orElse(true);
  }

  /** Index of a GPU named by UUID or index on the instance, -1 when it has none such. */
  private static int gpuIndex(Instance inst, String gpu) {
    if (gpu == null || gpu.isBlank()) {
      return -1;
    }
    for (int i = 0; i < inst.asg.gpus; i++) {
      if (SimIds.gpuUuid(inst.asg.seed, inst.node, i).equalsIgnoreCase(gpu)) {
        return i;
      }
    }
    try {
      int i = Integer.parseInt(gpu.trim());
      return i >= 0 && i < inst.asg.gpus ? i : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
