package io.gpuward.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.runtime.isolation.PluginClassLoader;
import org.apache.kafka.connect.runtime.isolation.PluginDesc;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.Test;

/**
 * The plugin directory the build produces ({@code target/connect-plugins/gpuward-avro-converter},
 * package phase, before the ITs) as a Connect worker sees it: found by {@code
 * plugin.discovery=service_load} and loaded in its own plugin class loader.
 */
class ConnectPluginIT {

  @Test
  void pluginDirectoryIsDiscoveredAndLoadsInIsolation() throws Exception {
    Path pluginPath = Path.of("target", "connect-plugins").toAbsolutePath();
    assertThat(pluginPath.resolve("gpuward-avro-converter/gpuward-connect.jar")).exists();
    try (var jars = Files.list(pluginPath.resolve("gpuward-avro-converter"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .anySatisfy(n -> assertThat(n).startsWith("avro-"));
    }

    Plugins plugins =
        new Plugins(
            Map.of("plugin.path", pluginPath.toString(), "plugin.discovery", "service_load"));
    PluginDesc<Converter> desc =
        plugins.converters().stream()
            .filter(d -> d.className().equals(GpuwardAvroConverter.class.getName()))
            .filter(d -> d.location().contains("gpuward-avro-converter"))
            .findFirst()
            .orElseThrow();
    assertThat(desc.loader()).isInstanceOf(PluginClassLoader.class);

    Converter converter = (Converter) desc.pluginClass().getDeclaredConstructor().newInstance();
    assertThat(converter.getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
    converter.configure(Map.of("schema.registry.url", "http://127.0.0.1:9"), false);
    assertThatThrownBy(() -> converter.toConnectData("t", new byte[] {1, 2, 3, 4, 5, 6}))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("not Confluent-framed");
  }
}
