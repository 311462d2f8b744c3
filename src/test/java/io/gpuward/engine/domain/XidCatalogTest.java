package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XidCatalogTest {
  private static final String HEADER =
      "xid,name,category,severity,recommended_action,source,notes\n";

  private final XidCatalog shipped = RuleCatalog.load().xid().catalog();

  private static XidCatalog parse(String rows) throws IOException {
    InputStream in = new ByteArrayInputStream((HEADER + rows).getBytes(StandardCharsets.UTF_8));
    return XidCatalog.parse(in, "my-xids.csv");
  }

  @Test
  void shouldReadEveryRowOfTheShippedCatalogWithItsQuotedNotes() {
    assertThat(shipped.size()).isGreaterThan(100);
    assertThat(shipped.find(79))
        .get()
        .satisfies(
            e -> {
              assertThat(e.xid()).isEqualTo(79);
              assertThat(e.name()).startsWith("GPU has fallen off the bus");
              assertThat(e.category()).isEqualTo("pcie-bus");
              assertThat(e.severity()).isEqualTo("CRITICAL");
              assertThat(e.action()).isEqualTo("REBOOT_NODE");
            });
    assertThat(shipped.find(13))
        .get()
        .satisfies(e -> assertThat(e.category()).startsWith("application/"));
  }

  @Test
  void shouldFindNothingForAnXidItDoesNotList() {
    assertThat(shipped.find(DomainFixtures.xidNotInCatalog(RuleCatalog.load().xid()))).isEmpty();
    assertThat(shipped.find(0)).isEmpty();
  }

  @Test
  void shouldTrimTheCellsOfAHandEditedCatalog() throws IOException {
    XidCatalog c = parse(" 79 , Fallen off the bus , pcie-bus , CRITICAL , REBOOT_NODE ,,\n");
    assertThat(c.find(79)).get().satisfies(e -> assertThat(e.action()).isEqualTo("REBOOT_NODE"));
    assertThat(c.find(79).orElseThrow().name()).isEqualTo("Fallen off the bus");
  }

  @Test
  void shouldNameTheLineOfAnXidThatIsNotANumber() {
    assertThatThrownBy(
            () -> parse("79,a,pcie-bus,CRITICAL,REBOOT_NODE,,\nX79,b,c,CRITICAL,NONE,,\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("my-xids.csv line 3: xid is not a number");
  }

  @Test
  void shouldNameTheLineOfARowWithoutAnAction() {
    assertThatThrownBy(() -> parse("79,a,pcie-bus,CRITICAL, ,,\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("my-xids.csv line 2: recommended_action missing");
  }

  @Test
  void shouldRefuseACatalogWithoutXids() {
    assertThatThrownBy(() -> parse(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("my-xids.csv: no XIDs");
  }

  @Test
  void shouldRefuseAnXidListedTwiceInsteadOfKeepingTheLastRowSilently() {
    assertThatThrownBy(
            () -> parse("79,a,pcie-bus,CRITICAL,REBOOT_NODE,,\n79,b,pcie-bus,WARNING,NONE,,\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("my-xids.csv line 3: xid 79 is listed twice (first on line 2)");
  }
}
