package io.gpuward.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * gpuward's typed configuration, declared once with defaults, validation and docs. Values come from
 * a properties file ({@code --config}) and command-line flags; a bad value fails at start with a
 * message naming the key. Keys starting with {@code kafka.} pass through to every Kafka client
 * (e.g. {@code kafka.security.protocol=SASL_SSL}).
 */
public final class GpuwardConfig extends AbstractConfig {

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String REGISTRY_URL = "schema.registry.url";
  public static final String REGISTRY_AUTO_REGISTER = "schema.registry.auto.register";
  public static final String REGISTRY_BASIC_AUTH = "schema.registry.basic.auth.user.info";
  public static final String REGISTRY_TRUSTSTORE = "schema.registry.ssl.truststore.location";
  public static final String REGISTRY_TRUSTSTORE_PASSWORD =
      "schema.registry.ssl.truststore.password";
  public static final String REGISTRY_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String TOPIC_PREFIX = "topic.prefix";
  public static final String ENGINE_APPLICATION_ID = "engine.application.id";
  public static final String ENGINE_STATE_DIR = "engine.state.dir";
  public static final String ENGINE_COMMIT_INTERVAL_MS = "engine.commit.interval.ms";
  public static final String ENGINE_THREADS = "engine.threads";
  public static final String ENGINE_STANDBY_REPLICAS = "engine.standby.replicas";
  public static final String REMEDIATION_GROUP_ID = "remediation.group.id";
  public static final String REMEDIATION_DRY_RUN = "remediation.dry.run";
  public static final String EVENT_TIME_MAX_AHEAD_MS = "event.time.max.ahead.ms";
  public static final String EVENT_TIME_MAX_AGE_MS = "event.time.max.age.ms";
  public static final String INSTANCE_ID = "instance.id";
  public static final String REMEDIATION_CONTROL_MAX_EXPIRY_MS =
      "remediation.control.max.expiry.ms";
  public static final String REMEDIATION_SSM_DOCUMENT = "remediation.ssm.document";
  public static final String REMEDIATION_SSM_DIAG_DOCUMENT = "remediation.ssm.diag.document";
  public static final String REMEDIATION_RESET_JOB_NAMESPACE = "remediation.reset.job.namespace";
  public static final String REMEDIATION_RESET_JOB_IMAGE = "remediation.reset.job.image";
  public static final String REMEDIATION_RESET_JOB_RUNTIME_CLASS =
      "remediation.reset.job.runtime.class";
  public static final String REMEDIATION_DRA_DRIVER = "remediation.dra.driver";
  public static final String REMEDIATION_DRA_TAINT_RULE_API_VERSION =
      "remediation.dra.taint.rule.api.version";
  public static final String REMEDIATION_LEASE_NAME = "remediation.lease.name";
  public static final String REMEDIATION_LEASE_NAMESPACE = "remediation.lease.namespace";
  public static final String REMEDIATION_LEASE_DURATION_MS = "remediation.lease.duration.ms";
  public static final String KAFKA_PREFIX = "kafka.";
  public static final String WATCH_CLUSTER_NAME = "watch.cluster.name";
  public static final String WATCH_POLL_INTERVAL_MS = "watch.poll.interval.ms";
  public static final String WATCH_REPUBLISH_INTERVAL_MS = "watch.republish.interval.ms";
  public static final String WATCH_UNREGISTERED_GRACE_MS = "watch.unregistered.grace.ms";
  public static final String WATCH_LEASE_NAME = "watch.lease.name";
  public static final String WATCH_LEASE_NAMESPACE = "watch.lease.namespace";
  public static final String WATCH_LEASE_DURATION_MS = "watch.lease.duration.ms";
  public static final String WATCH_OPERAND_NAMESPACE = "watch.operand.namespace";

  /** A Kubernetes object name (DNS-1123 subdomain); empty allowed where the key says so. */
  private static ConfigDef.Validator kubeName(boolean emptyAllowed) {
    return ConfigDef.LambdaValidator.with(
        (name, value) -> {
          String v = value == null ? "" : value.toString();
          if (v.isEmpty() && emptyAllowed) {
            return;
          }
          if (!v.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
            throw new ConfigException(
                name, value, "must be a Kubernetes name (lowercase letters, digits, '-', '.')");
          }
        },
        () -> "a Kubernetes name" + (emptyAllowed ? " or empty" : ""));
  }

  public static final ConfigDef DEF =
      new ConfigDef()
          .define(
              BOOTSTRAP_SERVERS,
              Type.STRING,
              "127.0.0.1:9092",
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Kafka bootstrap servers, host:port[,host:port].")
          .define(
              REGISTRY_URL,
              Type.STRING,
              "http://127.0.0.1:8081",
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Confluent-compatible schema registry URL.")
          .define(
              REGISTRY_AUTO_REGISTER,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Register value schemas on first use. When false, each role registers the schemas of"
                  + " the topics it writes at start, and only Kafka Streams' internal topics are"
                  + " still registered on first use.")
          .define(
              REGISTRY_BASIC_AUTH,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              "user:password for the registry's HTTP basic auth (use ${file:...}/${dir:...}/"
                  + "${env:...} with config.providers; never logged).")
          .define(
              REGISTRY_TRUSTSTORE,
              Type.STRING,
              null,
              Importance.MEDIUM,
              "Trust store for an https registry (default: the JVM's).")
          .define(
              REGISTRY_TRUSTSTORE_PASSWORD,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              "Password of the registry trust store.")
          .define(
              REGISTRY_TRUSTSTORE_TYPE,
              Type.STRING,
              "PKCS12",
              Importance.LOW,
              "Type of the registry trust store (PKCS12, JKS).")
          .define(
              TOPIC_PREFIX,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Prefix for every gpuward topic name (e.g. 'staging.').")
          .define(
              ENGINE_APPLICATION_ID,
              Type.STRING,
              "gpuward-engine",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Kafka Streams application.id of the verdict engine.")
          .define(
              ENGINE_STATE_DIR,
              Type.STRING,
              System.getProperty("java.io.tmpdir") + "/gpuward-streams",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Directory of the engine's local state stores.")
          .define(
              ENGINE_COMMIT_INTERVAL_MS,
              Type.LONG,
              100L,
              Range.between(10, 60_000),
              Importance.LOW,
              "Engine commit interval; under exactly-once, output is visible at commit.")
          .define(
              ENGINE_THREADS,
              Type.INT,
              1,
              Range.between(1, 64),
              Importance.LOW,
              "Stream threads of the engine.")
          .define(
              ENGINE_STANDBY_REPLICAS,
              Type.INT,
              0,
              Range.between(0, 8),
              Importance.LOW,
              "Warm copies of each engine task's state kept on other instances (Kafka Streams"
                  + " num.standby.replicas). 0: a task moved after a crash restores from its"
                  + " changelogs, small since the per-node stores are in memory; each standby"
                  + " costs another instance the task's state and changelog reads.")
          .define(
              REMEDIATION_GROUP_ID,
              Type.STRING,
              "gpuward-remediator",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Consumer group of the remediator.")
          .define(
              REMEDIATION_DRY_RUN,
              Type.BOOLEAN,
              true,
              Importance.HIGH,
              "Dry run: decide and audit, never act. Live actions need this set to false.")
          .define(
              EVENT_TIME_MAX_AHEAD_MS,
              Type.LONG,
              120_000L,
              Range.between(0, 3_600_000),
              Importance.MEDIUM,
              "How far ahead of this host's clock an event time may be; later events are"
                  + " dead-lettered (EVENT_TIME) before they can move stream time. At most 1 h, the"
                  + " broker's default log.message.timestamp.after.max.ms.")
          .define(
              EVENT_TIME_MAX_AGE_MS,
              Type.LONG,
              7L * 24 * 3_600_000,
              Range.between(60_000, Long.MAX_VALUE),
              Importance.MEDIUM,
              "How old an event may be; older events are dead-lettered (EVENT_TIME). Keep it at"
                  + " most the telemetry topics' retention.")
          .define(
              INSTANCE_ID,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Stable id of this instance (the pod name in Kubernetes): the engine's and the"
                  + " remediator's static group membership, so a restarted instance gets its"
                  + " partitions back at once instead of after the session timeout. Empty: dynamic"
                  + " membership.")
          .define(
              REMEDIATION_CONTROL_MAX_EXPIRY_MS,
              Type.LONG,
              Duration.ofDays(7).toMillis(),
              Range.between(Duration.ofMinutes(1).toMillis(), Duration.ofDays(366).toMillis()),
              Importance.MEDIUM,
              "Furthest an operator command's expiresAt may lie after its issuedAt; a command"
                  + " asking for more is dead-lettered, not applied.")
          .define(
              REMEDIATION_SSM_DOCUMENT,
              Type.STRING,
              "gpuward-gpu-reset",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "SSM document (name or ARN) of the GPU reset, installed from"
                  + " deploy/aws/gpuward-gpu-reset.json; never an AWS-owned document.")
          .define(
              REMEDIATION_SSM_DIAG_DOCUMENT,
              Type.STRING,
              "gpuward-gpu-diag",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "SSM document (name or ARN) of the DCGM diagnostics a VALIDATE step runs, installed"
                  + " from deploy/aws/gpuward-gpu-diag.json; never an AWS-owned document.")
          .define(
              REMEDIATION_RESET_JOB_NAMESPACE,
              Type.STRING,
              "gpuward",
              kubeName(false),
              Importance.MEDIUM,
              "Namespace of the GPU reset Jobs (image families the policy resets through a Job,"
                  + " e.g. Bottlerocket); the remediator's Role there grants batch/jobs create/get.")
          .define(
              REMEDIATION_RESET_JOB_IMAGE,
              Type.STRING,
              "nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04",
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Image of the GPU reset Job's container; the NVIDIA container runtime mounts the"
                  + " host's nvidia-smi into it.")
          .define(
              REMEDIATION_RESET_JOB_RUNTIME_CLASS,
              Type.STRING,
              "nvidia",
              kubeName(true),
              Importance.MEDIUM,
              "RuntimeClass of the GPU reset Job's pod (the GPU Operator's 'nvidia'); empty for"
                  + " none, where the node's default runtime is NVIDIA's.")
          .define(
              REMEDIATION_DRA_DRIVER,
              Type.STRING,
              "gpu.nvidia.com",
              Importance.LOW,
              "DRA driver whose ResourceSlices list a node's GPUs; a per-GPU repair on such a node"
                  + " taints the bad GPUs' devices (DeviceTaintRule) instead of cordoning. Empty"
                  + " turns DRA off.")
          .define(
              REMEDIATION_DRA_TAINT_RULE_API_VERSION,
              Type.STRING,
              "resource.k8s.io/v1beta2",
              new ConfigDef.NonEmptyString(),
              Importance.LOW,
              "API version of DeviceTaintRule: resource.k8s.io/v1beta2 (Kubernetes 1.37 by"
                  + " default, 1.36 opt-in), resource.k8s.io/v1alpha3 on 1.33 to 1.35.")
          .define(
              REMEDIATION_LEASE_NAME,
              Type.STRING,
              "",
              kubeName(true),
              Importance.MEDIUM,
              "gpuward remediate: the coordination.k8s.io Lease its replicas elect the one acting"
                  + " remediator with (needs --actuator eks); the others wait warm and take over."
                  + " Empty: no election, this process remediates from the start.")
          .define(
              REMEDIATION_LEASE_NAMESPACE,
              Type.STRING,
              "",
              kubeName(true),
              Importance.LOW,
              "gpuward remediate: the Lease's namespace; empty: $POD_NAMESPACE, else default.")
          .define(
              REMEDIATION_LEASE_DURATION_MS,
              Type.LONG,
              15_000L,
              Range.between(2_000, 300_000),
              Importance.LOW,
              "gpuward remediate: how long the lease lasts unrenewed, so how long a dead"
                  + " remediator is replaced after (renewals are due within two thirds of it).")
          .define(
              WATCH_CLUSTER_NAME,
              Type.STRING,
              "",
              Importance.HIGH,
              "gpuward watch: the EKS cluster's name; its instances are those tagged"
                  + " eks:cluster-name=<name> or kubernetes.io/cluster/<name>. Required unless the"
                  + " watcher runs without AWS (--cloud none).")
          .define(
              WATCH_POLL_INTERVAL_MS,
              Type.LONG,
              60_000L,
              Range.between(1_000, Duration.ofHours(1).toMillis()),
              Importance.MEDIUM,
              "gpuward watch: time between reads of the cloud and full reconciliations of the"
                  + " inventory. Node changes publish at once regardless.")
          .define(
              WATCH_REPUBLISH_INTERVAL_MS,
              Type.LONG,
              Duration.ofMinutes(10).toMillis(),
              Range.between(10_000, Duration.ofDays(1).toMillis()),
              Importance.LOW,
              "gpuward watch: time between re-publications of every node's inventory, changed"
                  + " or not (the compacted topic then always holds a recent record per node).")
          .define(
              WATCH_UNREGISTERED_GRACE_MS,
              Type.LONG,
              Duration.ofMinutes(5).toMillis(),
              Range.between(0, Duration.ofDays(1).toMillis()),
              Importance.MEDIUM,
              "gpuward watch: how long a running instance may be without a Node (since launch,"
                  + " or since its Node was deleted) before it is published as registered=false.")
          .define(
              WATCH_LEASE_NAME,
              Type.STRING,
              "gpuward-watch",
              kubeName(false),
              Importance.LOW,
              "gpuward watch: the coordination.k8s.io Lease its replicas elect a leader with.")
          .define(
              WATCH_LEASE_NAMESPACE,
              Type.STRING,
              "",
              kubeName(true),
              Importance.LOW,
              "gpuward watch: the Lease's namespace; empty: $POD_NAMESPACE, else default.")
          .define(
              WATCH_OPERAND_NAMESPACE,
              Type.STRING,
              "gpu-operator",
              kubeName(true),
              Importance.LOW,
              "gpuward watch: the GPU Operator's namespace, whose operand pods it reports per"
                  + " node; empty: no pod watch (operands judged by their deploy labels alone).")
          .define(
              WATCH_LEASE_DURATION_MS,
              Type.LONG,
              15_000L,
              Range.between(3_000, 300_000),
              Importance.LOW,
              "gpuward watch: how long the lease lasts unrenewed, so how long a dead leader is"
                  + " replaced after (renewals are due within two thirds of it).");

  public GpuwardConfig(Map<?, ?> values) {
    super(DEF, values, false);
  }

  public String bootstrapServers() {
    return getString(BOOTSTRAP_SERVERS);
  }

  public String registryUrl() {
    return getString(REGISTRY_URL);
  }

  public boolean autoRegister() {
    return getBoolean(REGISTRY_AUTO_REGISTER);
  }

  /** user:password for the registry, or null. */
  public String registryBasicAuth() {
    var p = getPassword(REGISTRY_BASIC_AUTH);
    return p == null ? null : p.value();
  }

  /** The registry trust store path, or null. */
  public String registryTruststore() {
    return getString(REGISTRY_TRUSTSTORE);
  }

  public String registryTruststorePassword() {
    var p = getPassword(REGISTRY_TRUSTSTORE_PASSWORD);
    return p == null ? null : p.value();
  }

  public String registryTruststoreType() {
    return getString(REGISTRY_TRUSTSTORE_TYPE);
  }

  public String topicPrefix() {
    return getString(TOPIC_PREFIX);
  }

  public String engineApplicationId() {
    return getString(ENGINE_APPLICATION_ID);
  }

  public String engineStateDir() {
    return getString(ENGINE_STATE_DIR);
  }

  public long engineCommitIntervalMs() {
    return getLong(ENGINE_COMMIT_INTERVAL_MS);
  }

  public int engineThreads() {
    return getInt(ENGINE_THREADS);
  }

  public int engineStandbyReplicas() {
    return getInt(ENGINE_STANDBY_REPLICAS);
  }

  public String remediationGroupId() {
    return getString(REMEDIATION_GROUP_ID);
  }

  public String ssmDocument() {
    return getString(REMEDIATION_SSM_DOCUMENT);
  }

  public String ssmDiagDocument() {
    return getString(REMEDIATION_SSM_DIAG_DOCUMENT);
  }

  public String resetJobNamespace() {
    return getString(REMEDIATION_RESET_JOB_NAMESPACE);
  }

  public String resetJobImage() {
    return getString(REMEDIATION_RESET_JOB_IMAGE);
  }

  public String resetJobRuntimeClass() {
    return getString(REMEDIATION_RESET_JOB_RUNTIME_CLASS);
  }

  public String draDriver() {
    return getString(REMEDIATION_DRA_DRIVER);
  }

  public String draTaintRuleApiVersion() {
    return getString(REMEDIATION_DRA_TAINT_RULE_API_VERSION);
  }

  public boolean dryRun() {
    return getBoolean(REMEDIATION_DRY_RUN);
  }

  /** How far ahead of this host's clock an event time may be. */
  public Duration eventTimeMaxAhead() {
    return Duration.ofMillis(getLong(EVENT_TIME_MAX_AHEAD_MS));
  }

  /** How old an event may be. */
  public Duration eventTimeMaxAge() {
    return Duration.ofMillis(getLong(EVENT_TIME_MAX_AGE_MS));
  }

  /** This instance's stable id, or empty for dynamic group membership. */
  public Optional<String> instanceId() {
    String id = getString(INSTANCE_ID);
    return id == null || id.isBlank() ? Optional.empty() : Optional.of(id.trim());
  }

  /** How far after its issue an operator command may expire. */
  public Duration controlMaxExpiry() {
    return Duration.ofMillis(getLong(REMEDIATION_CONTROL_MAX_EXPIRY_MS));
  }

  /** The EKS cluster's name for the watcher; empty when not set. */
  public String watchClusterName() {
    return getString(WATCH_CLUSTER_NAME).trim();
  }

  public Duration watchPollInterval() {
    return Duration.ofMillis(getLong(WATCH_POLL_INTERVAL_MS));
  }

  public Duration watchRepublishInterval() {
    return Duration.ofMillis(getLong(WATCH_REPUBLISH_INTERVAL_MS));
  }

  public Duration watchUnregisteredGrace() {
    return Duration.ofMillis(getLong(WATCH_UNREGISTERED_GRACE_MS));
  }

  public String watchLeaseName() {
    return getString(WATCH_LEASE_NAME);
  }

  /** The Lease's namespace, or empty to take the pod's. */
  public String watchLeaseNamespace() {
    return getString(WATCH_LEASE_NAMESPACE);
  }

  /** The GPU Operator's namespace, or empty to watch no operand pods. */
  public String watchOperandNamespace() {
    return getString(WATCH_OPERAND_NAMESPACE);
  }

  public Duration watchLeaseDuration() {
    return Duration.ofMillis(getLong(WATCH_LEASE_DURATION_MS));
  }

  /** The remediators' Lease, or empty for no election. */
  public String remediationLeaseName() {
    return getString(REMEDIATION_LEASE_NAME);
  }

  /** The remediators' Lease namespace, or empty to take the pod's. */
  public String remediationLeaseNamespace() {
    return getString(REMEDIATION_LEASE_NAMESPACE);
  }

  public Duration remediationLeaseDuration() {
    return Duration.ofMillis(getLong(REMEDIATION_LEASE_DURATION_MS));
  }

  /** Properties for every Kafka client: bootstrap servers plus the {@code kafka.*} pass-through. */
  public Map<String, Object> kafkaClientProps() {
    Map<String, Object> out = new HashMap<>(originalsWithPrefix(KAFKA_PREFIX));
    out.put("bootstrap.servers", bootstrapServers());
    return out;
  }
}
