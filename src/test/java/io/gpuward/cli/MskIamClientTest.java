package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Amazon MSK IAM access control: the settings the Helm chart writes for {@code AWS_MSK_IAM} build
 * every kind of Kafka client (the login module and callback handler are on the classpath and accept
 * the configuration). Signing itself needs AWS credentials and a broker, so it is not run.
 */
class MskIamClientTest {

  private static final Map<String, Object> MSK_IAM =
      Map.of(
          "bootstrap.servers", "127.0.0.1:1",
          "security.protocol", "SASL_SSL",
          "sasl.mechanism", "AWS_MSK_IAM",
          "sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;",
          "sasl.client.callback.handler.class",
              "software.amazon.msk.auth.iam.IAMClientCallbackHandler");

  @Test
  void producerConsumerAndAdminAcceptMskIamSettings() {
    try (var producer =
            new KafkaProducer<>(MSK_IAM, new StringSerializer(), new StringSerializer());
        var consumer =
            new KafkaConsumer<>(withGroup(), new StringDeserializer(), new StringDeserializer());
        var admin = Admin.create(MSK_IAM)) {
      assertThat(producer.metrics()).isNotEmpty();
      assertThat(consumer.metrics()).isNotEmpty();
      assertThat(admin.metrics()).isNotEmpty();
      producer.close(Duration.ZERO);
      consumer.close(Duration.ZERO);
      admin.close(Duration.ZERO);
    }
  }

  private static Map<String, Object> withGroup() {
    var m = new java.util.HashMap<>(MSK_IAM);
    m.put("group.id", "msk-iam-test");
    return m;
  }
}
