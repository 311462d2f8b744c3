package io.gpuward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The image build file (no Docker engine here to build it): runs the packaged jar with its lib/
 * folder, as the numeric non-root user the chart's security contexts expect.
 */
class DockerfileTest {

  @Test
  void shouldRunTheJarAsNonRootUid10001() throws Exception {
    List<String> lines =
        Files.readAllLines(Path.of("deploy", "docker", "Dockerfile")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    List<String> users = lines.stream().filter(l -> l.startsWith("USER ")).toList();
    assertThat(users).containsExactly("USER 10001:10001");
    assertThat(lines)
        .anyMatch(l -> l.startsWith("COPY") && l.endsWith("target/gpuward.jar gpuward.jar"));
    assertThat(lines).anyMatch(l -> l.startsWith("COPY") && l.endsWith("target/lib/ lib/"));
    assertThat(lines)
        .filteredOn(l -> l.startsWith("ENTRYPOINT"))
        .singleElement()
        .asString()
        .contains("exec java", "-jar /opt/gpuward/gpuward.jar");
    // the jar's manifest finds its dependencies in lib/ next to it (maven-jar-plugin classpath)
    assertThat(Files.readString(Path.of("pom.xml")))
        .contains("<classpathPrefix>lib/</classpathPrefix>");
  }

  @Test
  void shouldStartEveryRoleFromTheClassDataArchiveTheImageBuildTrained() throws Exception {
    String dockerfile = Files.readString(Path.of("deploy", "docker", "Dockerfile"));

    assertThat(dockerfile)
        .contains("-XX:ArchiveClassesAtExit=/opt/gpuward/gpuward.jsa")
        .contains("GPUWARD_CDS_OPTS=\"-XX:SharedArchiveFile=/opt/gpuward/gpuward.jsa")
        .contains("exec java $JAVA_OPTS $GPUWARD_CDS_OPTS");
  }
}
