package io.gpuward.embedded;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The users of a secured {@link EmbeddedKafka}: SASL/PLAIN on the client listener, ACLs checked by
 * {@code StandardAuthorizer}, and one super user, as whom the broker itself connects and who
 * creates topics and ACLs. The controller listener stays PLAINTEXT on loopback, and its anonymous
 * principal is a super user too: in combined mode that is the broker talking to its own controller.
 *
 * @param superUser name of the super user
 * @param passwords password by user name, the super user included
 */
public record SaslUsers(String superUser, Map<String, String> passwords) {

  static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
  private static final String LISTENER = "SASL_PLAINTEXT";

  public SaslUsers {
    passwords = Map.copyOf(passwords);
    if (!passwords.containsKey(superUser)) {
      throw new IllegalArgumentException("no password for super user " + superUser);
    }
  }

  /**
   * A super user {@code superUser} and the given other users, each with password {@code secret}.
   */
  public static SaslUsers of(String superUser, String secret, Iterable<String> users) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(superUser, secret);
    users.forEach(u -> out.put(u, secret));
    return new SaslUsers(superUser, out);
  }

  /** Client settings that sign in as {@code user} (merge with {@code bootstrap.servers}). */
  public Map<String, Object> clientProps(String user) {
    String password = passwords.get(user);
    if (password == null) {
      throw new IllegalArgumentException("unknown SASL user " + user);
    }
    return Map.of(
        "security.protocol",
        LISTENER,
        "sasl.mechanism",
        "PLAIN",
        "sasl.jaas.config",
        jaas(user, password, ""));
  }

  /** Turns the broker's client listener into SASL_PLAINTEXT with ACLs. */
  void secure(Properties p, int brokerPort) {
    String controller = p.getProperty("listeners").replaceFirst("^PLAINTEXT://[^,]*,", "");
    p.put("listeners", LISTENER + "://127.0.0.1:" + brokerPort + "," + controller);
    p.put("advertised.listeners", LISTENER + "://127.0.0.1:" + brokerPort);
    p.put("listener.security.protocol.map", LISTENER + ":" + LISTENER + ",CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", LISTENER);
    p.put("sasl.enabled.mechanisms", "PLAIN");
    p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    StringBuilder users = new StringBuilder();
    passwords.forEach(
        (u, pw) -> users.append(" user_").append(u).append("=\"").append(pw).append('"'));
    p.put(
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        jaas(superUser, passwords.get(superUser), users.toString()));
    p.put("authorizer.class.name", AUTHORIZER);
    p.put("super.users", "User:" + superUser + ";User:ANONYMOUS");
  }

  private static String jaas(String user, String password, String extra) {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\""
        + extra
        + ";";
  }
}
