package io.gpuward.ops;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Settings as they may be logged or printed: the value of every key that can hold a secret
 * (password, secret, token, jaas, credentials, user.info, key material) is replaced by {@link
 * #HIDDEN}. Config-provider references ({@code ${file:...}}, {@code ${env:...}}) are secret
 * locations, not secrets, and stay readable.
 */
public final class ConfigMask {
  private ConfigMask() {}

  public static final String HIDDEN = "[hidden]";

  private static final Pattern SECRET_KEY =
      Pattern.compile(
          "password|passwd|secret|token|jaas|credential|user\\.info|userinfo|api\\.key|"
              + "private|keystore\\.key|key\\.password|certificate\\.chain|sasl\\.oauthbearer\\.assertion");

  /** True when {@code key}'s value must not be logged. */
  public static boolean isSecret(String key) {
    return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).find();
  }

  /** A sorted copy of {@code settings} with secret values hidden. */
  public static Map<String, String> masked(Map<String, ?> settings) {
    Map<String, String> out = new TreeMap<>();
    settings.forEach(
        (k, v) -> {
          String text = String.valueOf(v);
          boolean reference = text.startsWith("${") && text.endsWith("}");
          out.put(k, isSecret(k) && !reference ? HIDDEN : text);
        });
    return out;
  }
}
