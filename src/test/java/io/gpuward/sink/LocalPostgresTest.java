package io.gpuward.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPostgresTest {

  @TempDir Path tmp;

  @Test
  void missingBinariesFailWithWhatToInstall() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> LocalPostgres.findBinaries(List.of(empty)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("initdb")
        .hasMessageContaining(LocalPostgres.BIN_ENV)
        .hasMessageContaining("apt-get install postgresql");
  }

  @Test
  void picksTheFirstFolderWithInitdbAndPgCtl() throws Exception {
    Path onlyInitdb = Files.createDirectories(tmp.resolve("a"));
    executable(onlyInitdb.resolve("initdb"));
    Path both = Files.createDirectories(tmp.resolve("b"));
    executable(both.resolve("initdb"));
    executable(both.resolve("pg_ctl"));

    assertThat(LocalPostgres.findBinaries(List.of(onlyInitdb, both))).isEqualTo(both);
  }

  private static void executable(Path p) throws Exception {
    Files.writeString(p, "#!/bin/sh\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
