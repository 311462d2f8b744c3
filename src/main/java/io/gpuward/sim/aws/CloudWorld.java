package io.gpuward.sim.aws;

import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.sim.Diagnostics;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The simulated cloud as {@link AwsWorldServer} serves it: the world's instances and the few things
 * AWS can do to them. {@code io.gpuward.sim.SimulatedCluster} is the implementation; every mutation
 * goes through it, so the fleet simulator sees a reboot or a replacement made over the AWS
 * protocols exactly as one made through its Java API.
 *
 * <p>The mutations share {@code io.gpuward.remediation.port.CloudPort}'s contract: the same token
 * twice is a no-op, and a refusal is an {@link ActuatorException} whose kind says whether it could
 * succeed later.
 */
public interface CloudWorld {

  /** The world's time: launch times, command times and timed transitions follow it. */
  Clock clock();

  /** Every instance ever launched, terminated ones included, in launch order. */
  List<Instance> cloudInstances();

  /** Reboots the instance (EC2 RebootInstances). */
  void reboot(String instanceId, String idempotencyToken);

  /**
   * Terminates the instance and lets its Auto Scaling group launch a replacement, desired capacity
   * kept.
   */
  void replace(String instanceId, String asgName, String idempotencyToken);

  /** Starts {@code nvidia-smi -r -i <gpu>} on the instance; {@link #gpuReset} tells how it went. */
  void resetGpu(String instanceId, String gpu, String idempotencyToken);

  /** The outcome so far of the GPU reset started with {@code idempotencyToken}. */
  GpuReset gpuReset(String instanceId, String gpu, String idempotencyToken);

  /**
   * Starts {@code dcgmi diag -r <level>} on the instance (the same token again is a no-op); {@link
   * #diagnostics} tells how it went. Refused TRANSIENT while the instance is not running.
   */
  void runDiagnostics(String instanceId, int level, String idempotencyToken);

  /** The world's DCGM diagnostics, where a run is read by its token. */
  Diagnostics diagnostics();

  /**
   * The scheduled events (EC2 DescribeInstanceStatus) of every instance that has one, by instance
   * id, completed and canceled ones included. A world without them has none.
   */
  default Map<String, List<ScheduledEvent>> scheduledEvents() {
    return Map.of();
  }

  /**
   * An EC2 scheduled event: the cloud reboots, stops or retires the instance at or after {@code
   * notBefore}.
   *
   * @param eventId {@code instance-event-...}
   * @param code instance-retirement, instance-stop, instance-reboot, system-reboot or
   *     system-maintenance
   * @param description starts {@code [Completed]} or {@code [Canceled]} once it is over
   * @param notBefore the window's start
   * @param notAfter the window's end, or null
   */
  record ScheduledEvent(
      String eventId, String code, String description, Instant notBefore, Instant notAfter) {
    public ScheduledEvent {
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(notBefore, "notBefore");
    }

    /** Whether it is still to come. */
    public boolean pending() {
      return !description.startsWith("[");
    }

    /** The same event, over: {@code [Completed]} or {@code [Canceled]}. */
    public ScheduledEvent over(String how) {
      return new ScheduledEvent(eventId, code, "[" + how + "] " + description, notBefore, notAfter);
    }
  }

  /** An EC2 instance's life: a reboot keeps it RUNNING to EC2, only the world tells REBOOTING. */
  enum State {
    PENDING,
    RUNNING,
    REBOOTING,
    TERMINATED
  }

  /** What the SSM agent on an instance reports. */
  enum SsmPing {
    /** The agent never registered (the OS never finished booting): SSM does not list it. */
    NOT_REGISTERED,
    ONLINE,
    CONNECTION_LOST
  }

  /** How far a GPU reset got. */
  enum ResetState {
    /** No reset with that token. */
    UNKNOWN,
    IN_PROGRESS,
    SUCCEEDED,
    FAILED
  }

  /**
   * A GPU reset's outcome so far.
   *
   * @param state how far it got
   * @param detail why it failed, or what ran
   */
  record GpuReset(ResetState state, String detail) {
    public GpuReset {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * One instance as the world knows it.
   *
   * @param instanceId EC2 instance id
   * @param node the Kubernetes node name it registers (or would register) as; also its private DNS
   *     name
   * @param nodegroup EKS node group
   * @param asgName Auto Scaling group
   * @param instanceType EC2 instance type, or null when unknown
   * @param zone availability zone, or null when unknown
   * @param imageName the image's name, or null when unknown
   * @param amiId the image id, or null when unknown
   * @param state the instance's life
   * @param launchedAt launch time
   * @param tags the instance's own tags (node group, Auto Scaling group, Name)
   * @param ssm what its SSM agent reports
   */
  record Instance(
      String instanceId,
      String node,
      String nodegroup,
      String asgName,
      String instanceType,
      String zone,
      String imageName,
      String amiId,
      State state,
      Instant launchedAt,
      Map<String, String> tags,
      SsmPing ssm) {
    public Instance {
      Objects.requireNonNull(instanceId, "instanceId");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(ssm, "ssm");
      tags = Map.copyOf(tags);
    }
  }
}
