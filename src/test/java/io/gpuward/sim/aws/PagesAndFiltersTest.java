package io.gpuward.sim.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pagination tokens and EC2 filter wildcards of the simulated AWS endpoint. */
class PagesAndFiltersTest {

  @Test
  void shouldWalkEveryItemOnceAndEndWithoutAToken() {
    List<Integer> all = List.of(1, 2, 3, 4, 5);

    Pages<Integer> first = Pages.of(all, null, 2, "InvalidNextToken");
    Pages<Integer> second = Pages.of(all, first.nextToken(), 2, "InvalidNextToken");
    Pages<Integer> last = Pages.of(all, second.nextToken(), 2, "InvalidNextToken");

    assertThat(first.items()).containsExactly(1, 2);
    assertThat(second.items()).containsExactly(3, 4);
    assertThat(last.items()).containsExactly(5);
    assertThat(last.nextToken()).isNull();
  }

  @Test
  void shouldRefuseATokenItDidNotIssueWithTheServicesCode() {
    assertThatThrownBy(() -> Pages.of(List.of(1), "forged", 2, "InvalidNextToken"))
        .isInstanceOfSatisfying(
            AwsError.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("InvalidNextToken");
            });
    assertThatThrownBy(() -> Pages.of(List.of(1), "sim-page-9", 2, "InvalidParameterValue"))
        .isInstanceOf(AwsError.class);
  }

  @Test
  void shouldCapThePageAtTheServersLimitAndRefuseAnOutOfRangeSize() {
    assertThat(Pages.size(null, 50, 100, 2, "MaxRecords")).isEqualTo(2);
    assertThat(Pages.size("20", 50, 100, 1000, "MaxRecords")).isEqualTo(20);
    assertThatThrownBy(() -> Pages.size("101", 50, 100, 1000, "MaxRecords"))
        .isInstanceOf(AwsError.class)
        .hasMessageContaining("MaxRecords");
  }

  @Test
  void shouldMatchEc2WildcardsAndTakeEscapedOnesLiterally() {
    assertThat(Ec2Filters.glob("g5-*").matcher("g5-infer").matches()).isTrue();
    assertThat(Ec2Filters.glob("p5-train-?").matcher("p5-train-3").matches()).isTrue();
    assertThat(Ec2Filters.glob("p5-train-?").matcher("p5-train-13").matches()).isFalse();
    assertThat(Ec2Filters.glob("a\\*b").matcher("a*b").matches()).isTrue();
    assertThat(Ec2Filters.glob("a\\*b").matcher("axb").matches()).isFalse();
    assertThat(Ec2Filters.glob("a.b").matcher("axb").matches()).isFalse();
  }
}
