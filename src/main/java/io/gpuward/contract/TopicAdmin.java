package io.gpuward.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a role needs at startup. Idempotent and safe for concurrent callers: existing
 * topics are kept as they are, and a WARN names any whose partition count or cleanup policy differs
 * from what was asked for. Topics the principal may not create (a broker with ACLs, see {@link
 * RoleAcls}) are left to the administrator who may.
 */
public final class TopicAdmin {
  private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

  private TopicAdmin() {}

  /**
   * Creates the missing topics of {@code specs} (partitions, replication factor and {@link
   * TopicSpec#creationConfigs()}), verifies existing ones, and returns once every topic has a
   * leader for each partition.
   *
   * @throws KafkaException when a topic cannot be created or seen within {@code timeout}
   */
  public static void ensureTopics(Admin admin, Collection<TopicSpec> specs, Duration timeout) {
    List<NewTopic> topics = new ArrayList<>();
    for (TopicSpec s : specs) {
      topics.add(
          new NewTopic(s.name(), s.partitions(), s.replicationFactor())
              .configs(s.creationConfigs()));
    }
    ensureNewTopics(admin, topics, timeout);
  }

  /**
   * Same as {@link #ensureTopics} for topics outside the catalog (e.g. the schema registry's).
   * Every {@link NewTopic} must give its partition count.
   */
  public static void ensureNewTopics(Admin admin, Collection<NewTopic> topics, Duration timeout) {
    if (topics.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, NewTopic> byName = new HashMap<>();
    topics.forEach(t -> byName.put(t.name(), t));

    List<String> existing = new ArrayList<>();
    List<String> notOurs = new ArrayList<>();
    create(admin, byName, deadline, existing, notOurs);
    if (!notOurs.isEmpty()) {
      // With ACLs, only an administrator creates topics; a role checks none of them either, since
      // it may not even be allowed to describe the topics it does not use.
      log.info(
          "not allowed to create topics {}: they must exist already (created by an administrator)",
          new TreeSet<>(notOurs));
      notOurs.forEach(byName::remove);
      if (byName.isEmpty()) {
        return;
      }
    }
    Map<String, TopicDescription> described = awaitLeaders(admin, byName.keySet(), deadline);
    if (!existing.isEmpty()) {
      verify(admin, existing, byName, described, deadline);
    }
  }

  /**
   * Asks for every topic of {@code byName}; adds those that already exist to {@code existing} and
   * those the principal may not create to {@code notOurs}.
   */
  private static void create(
      Admin admin,
      Map<String, NewTopic> byName,
      long deadline,
      List<String> existing,
      List<String> notOurs) {
    var created =
        admin.createTopics(
            byName.values(), new CreateTopicsOptions().timeoutMs(remainingMs(deadline)));
    for (var e : created.values().entrySet()) {
      NewTopic t = byName.get(e.getKey());
      try {
        await(e.getValue(), deadline);
        log.info(
            "created topic {} ({} partitions, cleanup.policy={})",
            t.name(),
            t.numPartitions(),
            cleanupPolicy(t.configs()));
      } catch (ExecutionException ex) {
        if (ex.getCause() instanceof TopicExistsException) {
          existing.add(t.name());
        } else if (ex.getCause() instanceof TopicAuthorizationException) {
          notOurs.add(t.name());
        } else {
          throw new KafkaException(
              "cannot create topic " + t.name() + ": " + ex.getCause().getMessage(), ex.getCause());
        }
      }
    }
  }

  /** Waits until every topic is described with a leader on every partition. */
  private static Map<String, TopicDescription> awaitLeaders(
      Admin admin, Set<String> names, long deadline) {
    while (true) {
      Throwable lastProblem;
      try {
        Map<String, TopicDescription> d =
            await(
                admin
                    .describeTopics(
                        names, new DescribeTopicsOptions().timeoutMs(remainingMs(deadline)))
                    .allTopicNames(),
                deadline);
        Optional<String> leaderless =
            d.values().stream()
                .filter(td -> td.partitions().stream().anyMatch(p -> p.leader() == null))
                .map(TopicDescription::name)
                .findFirst();
        if (leaderless.isEmpty()) {
          return d;
        }
        lastProblem = new KafkaException("topic " + leaderless.get() + " has no leader yet");
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new KafkaException(
              "cannot describe topics " + new TreeSet<>(names) + ": " + e.getCause().getMessage(),
              e.getCause());
        }
        lastProblem = e.getCause();
      }
      if (System.nanoTime() > deadline) {
        throw new KafkaException(
            "topics " + new TreeSet<>(names) + " not ready in time: " + lastProblem.getMessage(),
            lastProblem);
      }
      sleep(20);
    }
  }

  private static void verify(
      Admin admin,
      List<String> existing,
      Map<String, NewTopic> wanted,
      Map<String, TopicDescription> described,
      long deadline) {
    List<ConfigResource> resources =
        existing.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<ConfigResource, Config> configs;
    try {
      configs = await(admin.describeConfigs(resources).all(), deadline);
    } catch (ExecutionException e) {
      throw new KafkaException(
          "cannot describe configs of " + existing + ": " + e.getCause().getMessage(),
          e.getCause());
    }
    for (String name : existing) {
      NewTopic want = wanted.get(name);
      int actualPartitions = described.get(name).partitions().size();
      if (actualPartitions != want.numPartitions()) {
        log.warn(
            "topic {} exists with {} partitions but {} were asked for; keeping it as it is",
            name,
            actualPartitions,
            want.numPartitions());
      }
      ConfigEntry policy =
          configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).get("cleanup.policy");
      String actual = policy == null ? "delete" : policy.value();
      String asked = cleanupPolicy(want.configs());
      if (!policySet(actual).equals(policySet(asked))) {
        log.warn(
            "topic {} exists with cleanup.policy={} but {} was asked for; keeping it as it is",
            name,
            actual,
            asked);
      }
    }
  }

  private static String cleanupPolicy(Map<String, String> configs) {
    return configs == null
        ? TopicConfig.CLEANUP_POLICY_DELETE
        : configs.getOrDefault(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
  }

  private static Set<String> policySet(String policy) {
    return Arrays.stream(policy.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static <T> T await(KafkaFuture<T> f, long deadline) throws ExecutionException {
    try {
      return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new KafkaException("Kafka admin request timed out", e);
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
  }

  private static int remainingMs(long deadline) {
    return (int)
        Math.max(1, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new InterruptException(e);
    }
  }
}
