package io.gpuward.connect;

import java.net.MalformedURLException;
import java.net.URI;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Typed, validated settings of {@link GpuwardAvroConverter}. */
public final class GpuwardAvroConverterConfig extends AbstractConfig {

  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String NESTED_AS_JSON = "nested.as.json";
  public static final String FIELD_NAMING = "field.naming";
  public static final String AUTO_REGISTER = "auto.register.schemas";
  public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";

  public static final ConfigDef DEF =
      new ConfigDef()
          .define(
              SCHEMA_REGISTRY_URL,
              Type.STRING,
              ConfigDef.NO_DEFAULT_VALUE,
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Base URL of the Confluent-compatible schema registry, e.g. http://127.0.0.1:8081.")
          .define(
              NESTED_AS_JSON,
              Type.BOOLEAN,
              false,
              Importance.MEDIUM,
              "Render the top-level record's nested records, arrays, maps and multi-type unions as"
                  + " JSON text (Connect STRING named io.debezium.data.Json, which the Debezium JDBC"
                  + " sink writes to json/jsonb columns), so a flat sink table keeps them. Nested"
                  + " JSON keeps the Avro field names; enums are their symbols and timestamps epoch"
                  + " milliseconds.")
          .define(
              FIELD_NAMING,
              Type.STRING,
              "avro",
              ConfigDef.CaseInsensitiveValidString.in("avro", "snake_case"),
              Importance.MEDIUM,
              "Names of the top-level record's Connect fields: 'avro' keeps the Avro names,"
                  + " 'snake_case' turns verdictId into verdict_id.")
          .define(
              AUTO_REGISTER,
              Type.BOOLEAN,
              true,
              Importance.LOW,
              "fromConnectData: register the derived Avro schema under <topic>-value (or -key);"
                  + " when false, it must already be registered there.")
          .define(
              REQUEST_TIMEOUT_MS,
              Type.LONG,
              10_000L,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Time allowed for one schema registry request.");

  public GpuwardAvroConverterConfig(Map<?, ?> props) {
    super(DEF, props);
    try {
      URI.create(schemaRegistryUrl()).toURL();
    } catch (IllegalArgumentException | MalformedURLException e) {
      throw new ConfigException(SCHEMA_REGISTRY_URL, schemaRegistryUrl(), e.getMessage());
    }
  }

  public String schemaRegistryUrl() {
    return getString(SCHEMA_REGISTRY_URL);
  }

  public boolean nestedAsJson() {
    return getBoolean(NESTED_AS_JSON);
  }

  public FieldNaming fieldNaming() {
    return FieldNaming.parse(getString(FIELD_NAMING));
  }

  public boolean autoRegister() {
    return getBoolean(AUTO_REGISTER);
  }

  public long requestTimeoutMs() {
    return getLong(REQUEST_TIMEOUT_MS);
  }
}
