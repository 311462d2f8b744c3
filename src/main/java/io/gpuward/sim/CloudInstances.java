package io.gpuward.sim;

import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.sim.ClusterModel.Asg;
import io.gpuward.sim.ClusterModel.Instance;
import io.gpuward.sim.ClusterModel.Node;
import io.gpuward.sim.ClusterModel.State;
import io.gpuward.sim.aws.CloudWorld;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EC2 side of the world: Auto Scaling groups and their launch image, instances launched,
 * rebooted, replaced and scaled in, and how EC2, Auto Scaling and SSM describe them. A reboot or a
 * replacement is a timed transition whose end the Node registry and the workload pods see; the same
 * idempotency token twice is a no-op. Not thread-safe: the facade's lock guards every access.
 */
final class CloudInstances {

  private static final Logger log = LoggerFactory.getLogger(CloudInstances.class);

  private final ClusterModel model;
  private final ClusterTimeline timeline;
  private final ClusterJournal journal;
  private final NodeRegistry registry;
  private final Workloads workloads;
  private final SimulatedCluster.Settings settings;
  private final Set<String> tokens = new HashSet<>();
  private final Map<String, List<CloudWorld.ScheduledEvent>> events = new LinkedHashMap<>();

  /** The window EC2 gives a scheduled reboot or maintenance after its start. */
  static final Duration EVENT_WINDOW = Duration.ofHours(1);

  CloudInstances(
      ClusterModel model,
      ClusterTimeline timeline,
      ClusterJournal journal,
      NodeRegistry registry,
      Workloads workloads,
      SimulatedCluster.Settings settings) {
    this.model = model;
    this.timeline = timeline;
    this.journal = journal;
    this.registry = registry;
    this.workloads = workloads;
    this.settings = settings;
  }

  void defineAsg(
      String asgName,
      String nodegroup,
      int gpus,
      boolean migCapable,
      long seed,
      int nextIndex,
      boolean registers) {
    Asg a = new Asg(asgName, nodegroup, gpus, migCapable, seed, nextIndex);
    a.registers = registers;
    model.asgs.put(asgName, a);
  }

  void labelAsg(String asgName, Map<String, String> labels) {
    Asg a = model.asgs.get(asgName);
    if (a != null) {
      a.labels.putAll(labels);
    }
  }

  void imageAsg(String asgName, String image, String amiId, boolean boots) {
    Asg a = model.asgs.get(asgName);
    if (a != null) {
      a.image = image;
      a.amiId = amiId;
      a.imageBoots = boots;
    }
  }

  void draAsg(String asgName) {
    Asg a = model.asgs.get(asgName);
    if (a != null) {
      a.dra = true;
    }
  }

  void setAsgRegisters(String asgName, boolean registers) {
    Asg a = model.asgs.get(asgName);
    if (a != null) {
      a.registers = registers;
    }
  }

  /** One of the scenario's initial instances; returns its instance id and boot id. */
  String[] launchInitial(String asgName, String node, Instant launchedAt, boolean registers) {
    Asg a = model.asgs.get(asgName);
    Instance inst =
        new Instance(SimIds.instanceId(a.seed, node, 0), node, a, launchedAt, State.RUNNING);
    model.instances.put(inst.id, inst);
    if (registers) {
      Node n = registry.register(inst, launchedAt);
      workloads.fill(n);
    }
    return new String[] {inst.id, inst.bootId};
  }

  void reboot(String instanceId, String token, Instant now) {
    Instance inst = require(now, "REBOOT", instanceId, instanceId, token);
    if (tokens.contains("REBOOT|" + token)) {
      journal.record(now, "REBOOT", instanceId, token, "NOOP", "same token again");
      return;
    }
    if (inst.state == State.REBOOTING) {
      journal.record(now, "REBOOT", instanceId, token, "NOOP", "already rebooting");
      return;
    }
    if (inst.state != State.RUNNING) {
      throw journal.reject(
          now,
          "REBOOT",
          instanceId,
          token,
          ActuatorException.Kind.TRANSIENT,
          "instance " + instanceId + " is " + inst.state.name().toLowerCase(Locale.ROOT));
    }
    tokens.add("REBOOT|" + token);
    startReboot(inst, now);
    journal.rebooted();
    // An instance-reboot event is completed by the owner rebooting the instance first.
    complete(inst, "instance-reboot", "Completed");
    journal.record(now, "REBOOT", instanceId, token, "ACCEPTED", "node " + inst.node);
    log.info("cluster: reboot started node={} instance={} op={}", inst.node, instanceId, token);
  }

  private void startReboot(Instance inst, Instant now) {
    inst.state = State.REBOOTING;
    if (model.nodes.get(inst.node) != null) {
      timeline.change(new ClusterChange.RebootStarted(inst.node, now));
    }
    timeline.schedule(now.plus(settings.rebootDuration()), at -> finishReboot(inst, at));
  }

  private void finishReboot(Instance inst, Instant at) {
    if (inst.state != State.REBOOTING) {
      return;
    }
    inst.state = State.RUNNING;
    inst.boot++;
    inst.bootId = SimIds.bootId(inst.asg.seed, inst.id, inst.boot);
    Node n = model.nodes.get(inst.node);
    if (n != null) {
      n.kubeletReady = true;
      n.kubeletSilent = false;
      n.statusUnknown = false;
      timeline.change(new ClusterChange.RebootCompleted(inst.node, inst.bootId, at));
      workloads.scheduleRefill(n, at);
    }
    log.info("cluster: reboot done node={} bootId={}", inst.node, inst.bootId);
  }

  void replace(String instanceId, String asgName, String token, Instant now) {
    Instance inst = require(now, "REPLACE", instanceId, instanceId, token);
    if (tokens.contains("REPLACE|" + token)) {
      journal.record(now, "REPLACE", instanceId, token, "NOOP", "same token again");
      return;
    }
    if (!inst.asg.name.equals(asgName)) {
      throw refuseReplace(
          now,
          instanceId,
          token,
          "instance " + instanceId + " is not in Auto Scaling group " + asgName);
    }
    if (inst.state == State.TERMINATED) {
      throw refuseReplace(
          now, instanceId, token, "instance " + instanceId + " is already terminated");
    }
    tokens.add("REPLACE|" + token);
    journal.replaced();
    Instance next = terminateAndLaunch(inst, now);
    journal.record(
        now,
        "REPLACE",
        instanceId,
        token,
        "ACCEPTED",
        "terminated " + inst.node + ", launched " + next.id + " as " + next.node);
    log.info(
        "cluster: replaced node={} instance={} by node={} instance={} op={}",
        inst.node,
        instanceId,
        next.node,
        next.id,
        token);
  }

  /** Terminates the instance and launches its group's next one (desired capacity kept). */
  private Instance terminateAndLaunch(Instance inst, Instant now) {
    inst.state = State.TERMINATED;
    model.nodes.remove(inst.node);
    timeline.change(new ClusterChange.InstanceTerminated(inst.node, inst.id, now));
    Instance next = launch(inst.asg, now);
    timeline.change(
        new ClusterChange.InstanceLaunched(next.node, next.id, inst.asg.name, next.bootId, now));
    timeline.schedule(now.plus(settings.replaceDuration()), at -> join(next, at));
    return next;
  }

  /**
   * EC2 schedules {@code code} on the node's current instance, starting at {@code notBefore}. Then,
   * if the instance still runs, EC2 carries it out (retirement and stop: the instance goes and its
   * group launches another; reboot and maintenance: the instance reboots) and the event completes.
   */
  void scheduleEvent(String node, String code, Instant notBefore) {
    Instance inst = model.current(node);
    if (inst == null || inst.state == State.TERMINATED) {
      log.warn("cluster: no running instance for node={}; scheduled event {} dropped", node, code);
      return;
    }
    List<CloudWorld.ScheduledEvent> list = events.computeIfAbsent(inst.id, k -> new ArrayList<>());
    String id = "instance-event-" + inst.id.substring(2) + list.size();
    boolean windowed = code.endsWith("reboot") || code.equals("system-maintenance");
    var e =
        new CloudWorld.ScheduledEvent(
            id, code, description(code), notBefore, windowed ? notBefore.plus(EVENT_WINDOW) : null);
    list.add(e);
    timeline.schedule(notBefore, at -> carryOut(inst, id, at));
    log.info(
        "cluster: EC2 {} scheduled node={} instance={} notBefore={}",
        code,
        node,
        inst.id,
        notBefore);
  }

  private static String description(String code) {
    return switch (code) {
      case "instance-retirement" -> "The instance is running on degraded hardware";
      case "instance-stop" -> "The instance is scheduled to be stopped";
      case "system-reboot" -> "Scheduled reboot of the underlying host";
      case "system-maintenance" -> "Scheduled maintenance of the underlying host";
      default -> "Scheduled reboot";
    };
  }

  private void carryOut(Instance inst, String eventId, Instant at) {
    List<CloudWorld.ScheduledEvent> list = events.get(inst.id);
    int i = indexOf(list, eventId);
    if (i < 0 || !list.get(i).pending()) {
      return;
    }
    CloudWorld.ScheduledEvent e = list.get(i);
    if (inst.state == State.TERMINATED || inst.state == State.PENDING) {
      list.set(i, e.over("Canceled"));
      return;
    }
    list.set(i, e.over("Completed"));
    if (e.code().equals("instance-retirement") || e.code().equals("instance-stop")) {
      Instance next = terminateAndLaunch(inst, at);
      log.info(
          "cluster: EC2 {} carried out node={} instance={}, launched node={}",
          e.code(),
          inst.node,
          inst.id,
          next.node);
    } else if (inst.state == State.RUNNING) {
      startReboot(inst, at);
      log.info(
          "cluster: EC2 {} carried out node={} instance={}: rebooting",
          e.code(),
          inst.node,
          inst.id);
    }
  }

  private void complete(Instance inst, String code, String how) {
    List<CloudWorld.ScheduledEvent> list = events.getOrDefault(inst.id, List.of());
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).pending() && list.get(i).code().equals(code)) {
        list.set(i, list.get(i).over(how));
      }
    }
  }

  private static int indexOf(List<CloudWorld.ScheduledEvent> list, String eventId) {
    for (int i = 0; list != null && i < list.size(); i++) {
      if (list.get(i).eventId().equals(eventId)) {
        return i;
      }
    }
    return -1;
  }

  /** The scheduled events by instance id (copies). */
  Map<String, List<CloudWorld.ScheduledEvent>> scheduledEvents() {
    Map<String, List<CloudWorld.ScheduledEvent>> out = new LinkedHashMap<>();
    events.forEach((id, list) -> out.put(id, List.copyOf(list)));
    return out;
  }

  private ActuatorException refuseReplace(
      Instant now, String instanceId, String token, String reason) {
    return journal.reject(
        now, "REPLACE", instanceId, token, ActuatorException.Kind.PERMANENT, reason);
  }

  private Instance launch(Asg a, Instant now) {
    String node = a.nodegroup + "-" + a.nextIndex++;
    Instance inst = new Instance(SimIds.instanceId(a.seed, node, 0), node, a, now, State.PENDING);
    model.instances.put(inst.id, inst);
    return inst;
  }

  private void join(Instance inst, Instant at) {
    if (inst.state != State.PENDING) {
      return;
    }
    inst.state = State.RUNNING;
    if (inst.asg.registers) {
      Node n = registry.register(inst, at);
      timeline.change(new ClusterChange.NodeJoined(inst.node, inst.bootId, at));
      workloads.scheduleRefill(n, at);
      log.info("cluster: node registered node={} instance={}", inst.node, inst.id);
    } else {
      log.info(
          "cluster: instance running but never registers node={} instance={}", inst.node, inst.id);
    }
  }

  /** Terminated through its group with the desired capacity decremented; nothing replaces it. */
  void scaleIn(String node, Instant at) {
    Instance inst = model.current(node);
    if (inst == null) {
      return;
    }
    inst.state = State.TERMINATED;
    model.nodes.remove(node);
    timeline.change(new ClusterChange.InstanceTerminated(node, inst.id, at));
    log.info("cluster: scale-in node={} instance={} terminated", node, inst.id);
  }

  void ssmNeverRegisters(String node) {
    Instance inst = model.current(node);
    if (inst != null) {
      inst.ssmNeverRegisters = true;
    }
  }

  List<InstanceView> views() {
    List<InstanceView> out = new ArrayList<>();
    for (Instance i : model.instances.values()) {
      Node n = model.nodes.get(i.node);
      out.add(
          new InstanceView(
              i.id,
              i.node,
              i.asg.nodegroup,
              i.asg.name,
              i.state.name(),
              n != null && n.instance == i,
              i.launchedAt,
              i.bootId));
    }
    return out;
  }

  List<CloudWorld.Instance> cloudViews() {
    List<CloudWorld.Instance> out = new ArrayList<>();
    for (Instance i : model.instances.values()) {
      Asg a = i.asg;
      out.add(
          new CloudWorld.Instance(
              i.id,
              i.node,
              a.nodegroup,
              a.name,
              a.labels.get("node.kubernetes.io/instance-type"),
              a.labels.get("topology.kubernetes.io/zone"),
              a.image,
              a.amiId,
              CloudWorld.State.valueOf(i.state.name()),
              i.launchedAt,
              Map.of(
                  "Name", i.node,
                  "eks:nodegroup-name", a.nodegroup,
                  "aws:autoscaling:groupName", a.name),
              ssmPing(i)));
    }
    return out;
  }

  private static CloudWorld.SsmPing ssmPing(Instance i) {
    if (!i.asg.imageBoots
        || i.ssmNeverRegisters
        || i.state == State.PENDING
        || i.state == State.TERMINATED) {
      return CloudWorld.SsmPing.NOT_REGISTERED;
    }
    return i.state == State.REBOOTING
        ? CloudWorld.SsmPing.CONNECTION_LOST
        : CloudWorld.SsmPing.ONLINE;
  }

  /** The instance with that id, or a PERMANENT refusal recorded for {@code action}. */
  Instance require(Instant now, String action, String target, String instanceId, String op) {
    Instance i = model.instances.get(instanceId);
    if (i == null) {
      throw journal.reject(
          now,
          action,
          target,
          op,
          ActuatorException.Kind.PERMANENT,
          "instance " + instanceId + " not found");
    }
    return i;
  }
}
