package io.gpuward.sim;

/**
 * Deterministic identities (instance ids, GPU UUIDs, boot ids, pod suffixes) derived from the
 * scenario seed and names by hashing, never from a shared random stream, so one node's fate never
 * shifts another's ids.
 */
final class SimIds {

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final char[] POD_ALPHABET = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

  private SimIds() {}

  /** SplitMix64 finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** 64-bit hash of the seed and the parts (FNV-1a over chars, then mixed). */
  static long hash(long seed, Object... parts) {
    long h = 0xcbf29ce484222325L ^ mix(seed);
    for (Object p : parts) {
      String s = String.valueOf(p);
      for (int i = 0; i < s.length(); i++) {
        h ^= s.charAt(i);
        h *= 0x100000001b3L;
      }
      h ^= 0x1f;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  static String hex(long v, int digits) {
    char[] out = new char[digits];
    for (int i = digits - 1; i >= 0; i--) {
      out[i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
    return new String(out);
  }

  /** EC2 instance id: {@code i-0} and 16 hex digits. */
  static String instanceId(long seed, String node, int generation) {
    return "i-0" + hex(hash(seed, "instance", node, generation), 16);
  }

  /** AMI id for an image name: {@code ami-0} and 16 hex digits. */
  static String amiId(long seed, String image) {
    return "ami-0" + hex(hash(seed, "ami", image), 16);
  }

  /** GPU UUID {@code GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}. */
  static String gpuUuid(long seed, String node, int index) {
    return "GPU-" + uuidBody(hash(seed, "gpu", node, index), hash(seed, "gpu2", node, index));
  }

  /** Boot id as {@code /proc/sys/kernel/random/boot_id} shows it. */
  static String bootId(long seed, String instanceId, int boot) {
    return uuidBody(hash(seed, "boot", instanceId, boot), hash(seed, "boot2", instanceId, boot));
  }

  private static String uuidBody(long a, long b) {
    String h = hex(a, 16) + hex(b, 16);
    return h.substring(0, 8)
        + '-'
        + h.substring(8, 12)
        + '-'
        + h.substring(12, 16)
        + '-'
        + h.substring(16, 20)
        + '-'
        + h.substring(20, 32);
  }

  /** Kubernetes-style random suffix ({@code n} chars of the pod-name alphabet). */
  static String podSuffix(long v, int n) {
    char[] out = new char[n];
    long x = v & Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      out[i] = POD_ALPHABET[(int) (x % POD_ALPHABET.length)];
      x /= POD_ALPHABET.length;
    }
    return new String(out);
  }
}
