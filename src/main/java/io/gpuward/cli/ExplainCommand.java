package io.gpuward.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code gpuward explain NODE|VERDICT_ID}: the causal chain of one node's verdicts, or of one
 * verdict, from the records alone: evidence, verdict states, incident, every remediation record,
 * operator commands, and what happens next. Exit 3 when the period holds no record of it.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Explain a node's verdicts, or one verdict: evidence -> verdict -> every remediation",
      "decision with its reason, policy version and budget state -> what happens next.",
      "Exit 0 explained, 3 no verdict or audit record of it in the period, 1 Kafka or the",
      "registry unreachable, 2 a bad flag."
    })
final class ExplainCommand extends ReadOptions implements Callable<Integer> {
  static final int NOT_FOUND = 3;

  @Parameters(
      index = "0",
      paramLabel = "NODE|VERDICT_ID",
      description = "A Kubernetes node name or a verdict id.")
  String target;

  @Override
  public Integer call() {
    Instant now = Instant.now();
    Instant from = from(now);
    ExplainModel model = new ExplainModel(target, nextStep());
    EnumSet<TopicTail.Source> sources =
        EnumSet.of(
            TopicTail.Source.VERDICTS,
            TopicTail.Source.INCIDENTS,
            TopicTail.Source.AUDIT,
            TopicTail.Source.CONTROL);
    String verdictTopic;
    try (TopicTail tail = open(sources, from)) {
      verdictTopic = tail.topics().verdicts.name();
      tail.readToEnd(model);
    }
    Optional<Explanation> e = model.explain(Instant.now(), from);
    if (e.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "gpuward explain: no verdict or audit record of "
              + target
              + " on "
              + verdictTopic
              + " or the audit topic since "
              + TextTable.time(from)
              + " (a node name or a verdict id; --since reads further back)");
      err.flush();
      return NOT_FOUND;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(json ? ViewJson.of(e.get()) : ExplainText.render(e.get()));
    out.flush();
    return 0;
  }
}
