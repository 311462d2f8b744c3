package io.gpuward.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SinkTablesTest {

  private final Topics topics =
      new Topics(TopicCatalog.load("p."), new AvroSerdes(new InMemorySchemaRegistry(), true));

  @Test
  void pointsEveryConnectorAtTheTargetAndThePrefixedTopics() {
    var target =
        new SinkTables.Target("jdbc:postgresql://db:5432/x", "u", "pw", "http://reg:8081", "p.");
    var configs = SinkTables.configs(topics, target);

    assertThat(configs).hasSize(5);
    assertThat(configs)
        .extracting(c -> c.config().get("topics"))
        .containsExactly(
            "p.gpuward.verdicts.v1",
            "p.gpuward.incidents.v1",
            "p.gpuward.health.nodes.v1",
            "p.gpuward.remediation.audit.v1",
            "p.gpuward.telemetry.rollup.v1");
    assertThat(configs)
        .allSatisfy(
            c -> {
              assertThat(c.config())
                  .containsEntry("connection.url", "jdbc:postgresql://db:5432/x")
                  .containsEntry("value.converter.schema.registry.url", "http://reg:8081")
                  .containsEntry("value.converter", "io.gpuward.connect.GpuwardAvroConverter")
                  .containsEntry("insert.mode", "upsert")
                  .containsEntry("errors.deadletterqueue.topic.name", "p.gpuward.sink.dlq.v1")
                  .containsEntry("name", c.name());
            });
  }

  @Test
  void upsertKeysAreTheTablesPrimaryKeys() {
    String ddl = SinkTables.ddl();
    var configs =
        SinkTables.configs(topics, new SinkTables.Target("jdbc:x", "u", "", "http://r", ""));
    for (int i = 0; i < SinkTables.ALL.size(); i++) {
      String table = SinkTables.ALL.get(i).table();
      var cfg = configs.get(i).config();
      assertThat(cfg.get("collection.name.format")).isEqualTo(table);
      Matcher m =
          Pattern.compile(
                  "CREATE TABLE IF NOT EXISTS " + table + " \\((.*?)\\n\\);", Pattern.DOTALL)
              .matcher(ddl);
      assertThat(m.find()).as(table).isTrue();
      String body = m.group(1);
      String pk = cfg.get("primary.key.fields");
      if (pk.contains(",")) {
        assertThat(body.replaceAll("\\s+", " "))
            .contains("PRIMARY KEY (" + pk.replace(",", ", ") + ")");
      } else {
        assertThat(body).containsPattern("\\n\\s*" + pk + "\\s+\\w+\\s+NOT NULL PRIMARY KEY");
      }
    }
  }
}
