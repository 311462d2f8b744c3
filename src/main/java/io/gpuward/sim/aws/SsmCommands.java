package io.gpuward.sim.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.sim.Diagnostics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SSM Run Command for the two documents the world runs, the GPU reset ({@code
 * deploy/aws/gpuward-gpu-reset.json}) and DCGM diagnostics ({@code
 * deploy/aws/gpuward-gpu-diag.json}): {@code SendCommand}, {@code GetCommandInvocation} and {@code
 * ListCommands}. A command's status is read from the world each time, so it follows the simulated
 * reset (InProgress while {@code nvidia-smi -r} runs, then Success, or Failed with the refusal on
 * stderr: a GPU still in use, a GPU the instance does not have) or the simulated {@code dcgmi diag}
 * (InProgress for the level's run time, then Success with a passing document on stdout, or Failed
 * with exit code 226 and the failing document; a hung run stays InProgress until the document's
 * {@code executionTimeout}).
 */
final class SsmCommands {

  /** The document's {@code gpu} parameter's {@code allowedPattern}. */
  static final Pattern GPU =
      Pattern.compile(
          "GPU-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
              + "|([0-9a-fA-F]{4}|[0-9a-fA-F]{8}):[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]"
              + "|[0-9]|[1-5][0-9]|6[0-3]");

  /** The document's {@code executionTimeout} parameter's {@code allowedPattern}. */
  static final Pattern EXECUTION_TIMEOUT = Pattern.compile("[1-9][0-9]?|[1-5][0-9]{2}|600");

  /** The diagnostics document's {@code level} and {@code executionTimeout} patterns. */
  static final Pattern LEVEL = Pattern.compile("[1-3]");

  static final Pattern DIAG_TIMEOUT =
      Pattern.compile("[1-9][0-9]{0,3}|1[0-3][0-9]{3}|14[0-3][0-9]{2}|14400");

  /** What dcgmi 4 exits with when a test failed. */
  static final int DCGM_FAILED_EXIT = 226;

  /**
   * The operation id the caller put in the comment; SSM has no client token for SendCommand, so it
   * is what makes a resent reset the same reset in the world.
   */
  private static final Pattern OP = Pattern.compile("op=(\\S+)");

  private static final int MAX_INSTANCES = 50;

  /**
   * One instance's run of a command; {@code fixed} holds an outcome the world never saw, {@code
   * gpus} how many GPUs dcgmi reports on.
   */
  private record Invocation(String instanceId, String token, Outcome fixed, int gpus) {}

  private record Command(
      String document,
      boolean diag,
      String id,
      String comment,
      Map<String, List<String>> parameters,
      Instant requestedAt,
      int timeoutSeconds,
      List<Invocation> invocations) {
    String gpu() {
      return parameters.get("gpu").get(0);
    }

    int level() {
      return Integer.parseInt(parameters.get("level").get(0));
    }

    long executionTimeout() {
      List<String> t = parameters.get("executionTimeout");
      return t == null || t.isEmpty() ? (diag ? 600 : 120) : Long.parseLong(t.get(0));
    }
  }

  /** What GetCommandInvocation says. */
  record Outcome(String status, String details, int code, String stdout, String stderr) {
    boolean finished() {
      return !"InProgress".equals(status) && !"Pending".equals(status);
    }
  }

  private final ObjectMapper json;
  private final CloudWorld world;
  private final AwsWorldServer.Settings settings;
  private final Map<String, Command> commands = new LinkedHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final DcgmDiagJson dcgm;
  private final InstanceTypeCatalog types = InstanceTypeCatalog.load();

  SsmCommands(ObjectMapper json, CloudWorld world, AwsWorldServer.Settings settings) {
    this.json = json;
    this.world = world;
    this.settings = settings;
    this.dcgm = new DcgmDiagJson(json);
  }

  JsonNode send(JsonNode in) {
    String document = SsmApi.text(in, "DocumentName");
    boolean diag = settings.diagDocument().equals(document);
    if (!diag && !settings.ssmDocument().equals(document)) {
      throw AwsError.badRequest("InvalidDocument", "Document " + document + " does not exist");
    }
    List<String> ids = SsmApi.strings(in.path("InstanceIds"));
    if (ids.isEmpty() || ids.size() > MAX_INSTANCES) {
      throw AwsError.badRequest(
          "ValidationException", "InstanceIds must name 1 to " + MAX_INSTANCES + " instances");
    }
    Map<String, List<String>> parameters =
        diag ? diagParameters(in.path("Parameters")) : parameters(in.path("Parameters"));
    Map<String, CloudWorld.Instance> managed = managed(ids);
    String comment = SsmApi.text(in, "Comment");
    String id =
        UUID.nameUUIDFromBytes(
                ("sim-command-" + sequence.incrementAndGet()).getBytes(StandardCharsets.UTF_8))
            .toString();
    List<Invocation> runs = new ArrayList<>();
    for (String instanceId : ids) {
      CloudWorld.Instance i = managed.get(instanceId);
      String token = token(comment, id);
      Outcome fixed =
          diag
              ? startDiag(i, Integer.parseInt(parameters.get("level").get(0)), token)
              : start(i, parameters.get("gpu").get(0), token);
      runs.add(new Invocation(instanceId, token, fixed, gpus(i)));
    }
    int timeout = in.path("TimeoutSeconds").asInt(3600);
    Command c =
        new Command(
            document,
            diag,
            id,
            comment,
            parameters,
            world.clock().instant(),
            timeout,
            List.copyOf(runs));
    synchronized (commands) {
      commands.put(id, c);
    }
    ObjectNode out = json.createObjectNode();
    out.set("Command", command(c));
    return out;
  }

  /** The instance type's GPU count, 8 when the catalog does not know it. */
  private int gpus(CloudWorld.Instance i) {
    return types
        .find(i.instanceType())
        .filter(t -> t.nvidiaGpus() > 0)
        .map(t -> t.nvidiaGpus())
        .orElse(8);
  }

  /**
   * Starts dcgmi diag in the world; an outcome of its own when the world refused or never got it.
   */
  private Outcome startDiag(CloudWorld.Instance i, int level, String token) {
    return deliver(i, () -> world.runDiagnostics(i.instanceId(), level, token), "");
  }

  /**
   * Starts the reset in the world; an outcome of its own when the world refused or never got it.
   */
  private Outcome start(CloudWorld.Instance i, String gpu, String token) {
    return deliver(
        i, () -> world.resetGpu(i.instanceId(), gpu, token), "nvidia-smi -r -i " + gpu + ": ");
  }

  /**
   * Runs a command's effect in the world. An agent not answering (a reboot) is SSM giving up
   * delivery, nothing ran; a refusal the world calls transient is the same; any other refusal is
   * the script failing with {@code prefix} and the reason on stderr. Null when it started.
   */
  private static Outcome deliver(CloudWorld.Instance i, Runnable effect, String prefix) {
    Outcome undelivered = new Outcome("TimedOut", "DeliveryTimedOut", -1, "", "");
    if (i.ssm() == CloudWorld.SsmPing.CONNECTION_LOST) {
      return undelivered;
    }
    try {
      effect.run();
      return null;
    } catch (ActuatorException e) {
      return e.kind() == ActuatorException.Kind.TRANSIENT
          ? undelivered
          : new Outcome(
              "Failed",
              "Failed",
              1,
              "",
              prefix + e.getMessage() + "\nfailed to run commands: exit status 1");
    }
  }

  private static String token(String comment, String commandId) {
    Matcher m = OP.matcher(comment == null ? "" : comment);
    return m.find() ? m.group(1) : commandId;
  }

  private static Map<String, List<String>> parameters(JsonNode params) {
    Map<String, List<String>> p = SsmApi.parameters(params);
    for (String name : p.keySet()) {
      if (!name.equals("gpu") && !name.equals("executionTimeout")) {
        throw AwsError.badRequest(
            "InvalidParameters", "Parameter \"" + name + "\" is not defined in the document");
      }
    }
    requireOne(p, "gpu", GPU);
    if (p.containsKey("executionTimeout")) {
      requireOne(p, "executionTimeout", EXECUTION_TIMEOUT);
    }
    return p;
  }

  private static Map<String, List<String>> diagParameters(JsonNode params) {
    Map<String, List<String>> p = SsmApi.parameters(params);
    for (String name : p.keySet()) {
      if (!name.equals("level") && !name.equals("executionTimeout")) {
        throw AwsError.badRequest(
            "InvalidParameters", "Parameter \"" + name + "\" is not defined in the document");
      }
    }
    requireOne(p, "level", LEVEL);
    if (p.containsKey("executionTimeout")) {
      requireOne(p, "executionTimeout", DIAG_TIMEOUT);
    }
    return p;
  }

  private static void requireOne(Map<String, List<String>> p, String name, Pattern allowed) {
    List<String> v = p.get(name);
    if (v == null || v.size() != 1 || !allowed.matcher(v.get(0)).matches()) {
      throw AwsError.badRequest(
          "InvalidParameters",
          "Parameter \""
              + name
              + "\" value "
              + v
              + " does not match the document's allowedPattern");
    }
  }

  private Map<String, CloudWorld.Instance> managed(List<String> ids) {
    Map<String, CloudWorld.Instance> out = new LinkedHashMap<>();
    for (CloudWorld.Instance i : world.cloudInstances()) {
      if (ids.contains(i.instanceId()) && i.ssm() != CloudWorld.SsmPing.NOT_REGISTERED) {
        out.put(i.instanceId(), i);
      }
    }
    for (String id : ids) {
      if (!out.containsKey(id)) {
        throw AwsError.badRequest(
            "InvalidInstanceId",
            "Instances [[" + id + "]] not in a valid state for account " + AwsWorldServer.ACCOUNT);
      }
    }
    return out;
  }

  JsonNode invocation(JsonNode in) {
    String commandId = SsmApi.text(in, "CommandId");
    String instanceId = SsmApi.text(in, "InstanceId");
    if (commandId == null || instanceId == null) {
      throw AwsError.badRequest("ValidationException", "CommandId and InstanceId are required");
    }
    Command c;
    synchronized (commands) {
      c = commands.get(commandId);
    }
    Invocation inv = c == null ? null : find(c, instanceId);
    if (inv == null) {
      throw AwsError.badRequest("InvocationDoesNotExist", "");
    }
    Outcome o = outcome(c, inv);
    ObjectNode out = json.createObjectNode();
    out.put("CommandId", c.id());
    out.put("InstanceId", instanceId);
    out.put("Comment", c.comment());
    out.put("DocumentName", c.document());
    out.put("DocumentVersion", "1");
    out.put("PluginName", c.diag() ? "dcgmDiag" : "resetGpu");
    out.put("ResponseCode", o.code());
    out.put("ExecutionStartDateTime", c.requestedAt().toString());
    out.put("Status", o.status());
    out.put("StatusDetails", o.details());
    out.put("StandardOutputContent", o.stdout());
    out.put("StandardErrorContent", o.stderr());
    return out;
  }

  private static Invocation find(Command c, String instanceId) {
    return c.invocations().stream()
        .filter(i -> i.instanceId().equals(instanceId))
        .findFirst()
        .orElse(null);
  }

  /** The invocation's outcome now: its own, else the world's reset, bounded by its timeout. */
  private Outcome outcome(Command c, Invocation inv) {
    if (inv.fixed() != null) {
      return inv.fixed();
    }
    if (c.diag()) {
      return diagOutcome(c, inv);
    }
    CloudWorld.GpuReset r = world.gpuReset(inv.instanceId(), c.gpu(), inv.token());
    return switch (r.state()) {
      case SUCCEEDED ->
          new Outcome("Success", "Success", 0, "GPU " + c.gpu() + " was successfully reset.\n", "");
      case FAILED, UNKNOWN -> new Outcome("Failed", "Failed", 1, "", r.detail());
      case IN_PROGRESS ->
          timedOut(c)
              ? new Outcome("TimedOut", "ExecutionTimedOut", -1, "", "")
              : new Outcome("InProgress", "InProgress", -1, "", "");
    };
  }

  /** The world's run of dcgmi diag, with the document dcgmi would print once it finished. */
  private Outcome diagOutcome(Command c, Invocation inv) {
    Optional<Diagnostics.Result> found = world.diagnostics().result(inv.token());
    if (found.isEmpty()) {
      return new Outcome("Failed", "Failed", 1, "", "the world has no run with op=" + inv.token());
    }
    Diagnostics.Result r = found.get();
    if (r.status() == Diagnostics.Status.RUNNING) {
      return timedOut(c)
          ? new Outcome("TimedOut", "ExecutionTimedOut", -1, "", "")
          : new Outcome("InProgress", "InProgress", -1, "", "");
    }
    String stdout = dcgm.render(r.level(), inv.gpus(), Diagnostics.FAILING_TEST, r.failingGpu());
    return r.status() == Diagnostics.Status.PASSED
        ? new Outcome("Success", "Success", 0, stdout, "")
        : new Outcome(
            "Failed",
            "Failed",
            DCGM_FAILED_EXIT,
            stdout,
            "failed to run commands: exit status 226");
  }

  private boolean timedOut(Command c) {
    return world.clock().instant().isAfter(c.requestedAt().plusSeconds(c.executionTimeout()));
  }

  JsonNode list(JsonNode in) {
    String commandId = SsmApi.text(in, "CommandId");
    String instanceId = SsmApi.text(in, "InstanceId");
    Predicate<ObjectNode> match = listFilters(in);
    List<ObjectNode> selected = new ArrayList<>();
    for (Command c : snapshot()) {
      boolean mine = instanceId == null || find(c, instanceId) != null;
      if ((commandId == null || commandId.equals(c.id())) && mine) {
        ObjectNode n = command(c);
        if (match.test(n)) {
          selected.add(n);
        }
      }
    }
    int size = Pages.size(SsmApi.text(in, "MaxResults"), 50, 50, settings.maxPage(), "MaxResults");
    Pages<ObjectNode> page =
        Pages.of(selected, SsmApi.text(in, "NextToken"), size, "InvalidNextToken");
    ObjectNode out = json.createObjectNode();
    out.putArray("Commands").addAll(page.items());
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    return out;
  }

  private List<Command> snapshot() {
    synchronized (commands) {
      return List.copyOf(commands.values());
    }
  }

  /** ListCommands filters: InvokedAfter/InvokedBefore (ISO-8601), Status, DocumentName. */
  private static Predicate<ObjectNode> listFilters(JsonNode in) {
    List<Predicate<ObjectNode>> all = new ArrayList<>();
    for (JsonNode f : in.path("Filters")) {
      String key = f.path("key").asText();
      String value = f.path("value").asText();
      all.add(
          switch (key) {
            case "InvokedAfter" -> c -> !requested(c).isBefore(instant(value));
            case "InvokedBefore" -> c -> !requested(c).isAfter(instant(value));
            case "Status" -> c -> c.path("Status").asText().equalsIgnoreCase(value);
            case "DocumentName" -> c -> c.path("DocumentName").asText().equals(value);
            default ->
                throw AwsError.badRequest(
                    "InvalidFilterKey", "The filter key " + key + " is not valid");
          });
    }
    return c -> all.stream().allMatch(p -> p.test(c));
  }

  private static Instant requested(ObjectNode c) {
    return Instant.ofEpochMilli(Math.round(c.path("RequestedDateTime").asDouble() * 1000));
  }

  private static Instant instant(String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw AwsError.badRequest("InvalidFilterValue", "not an ISO-8601 time: " + value);
    }
  }

  private ObjectNode command(Command c) {
    List<Outcome> outcomes = c.invocations().stream().map(i -> outcome(c, i)).toList();
    Outcome total = aggregate(outcomes);
    ObjectNode n = json.createObjectNode();
    n.put("CommandId", c.id());
    n.put("DocumentName", c.document());
    n.put("DocumentVersion", "$DEFAULT");
    n.put("Comment", c.comment());
    ObjectNode params = n.putObject("Parameters");
    c.parameters().forEach((k, v) -> v.forEach(params.putArray(k)::add));
    addInstanceIds(n, c);
    n.put("RequestedDateTime", SsmApi.epochSeconds(c.requestedAt()));
    n.put("Status", total.status());
    n.put("StatusDetails", total.details());
    n.put("TargetCount", outcomes.size());
    n.put("CompletedCount", outcomes.stream().filter(Outcome::finished).count());
    n.put("ErrorCount", outcomes.stream().filter(o -> o.status().equals("Failed")).count());
    n.put("TimeoutSeconds", c.timeoutSeconds());
    return n;
  }

  private static void addInstanceIds(ObjectNode n, Command c) {
    c.invocations().forEach(i -> n.withArray("InstanceIds").add(i.instanceId()));
  }

  /** One status for the command: in progress while any run is, else the worst outcome. */
  private static Outcome aggregate(List<Outcome> outcomes) {
    for (String status : List.of("InProgress", "Failed", "TimedOut")) {
      for (Outcome o : outcomes) {
        if (o.status().equals(status)) {
          return o;
        }
      }
    }
    return outcomes.get(0);
  }
}
