package io.gpuward.remediation.k8s;

import java.util.regex.Pattern;

/**
 * Where the remediator finds a node's DRA devices and how it taints them (KEP-5055). Read through
 * fabric8's generic resources, so the API versions are configuration and gpuward does not depend on
 * one model jar's version of {@code resource.k8s.io}.
 *
 * @param driver the DRA driver whose ResourceSlices list a node's GPUs ({@code spec.driver}); ""
 *     turns DRA off (no slice is read, per-GPU repair is decided from allocatable as before)
 * @param sliceApiVersion API version of ResourceSlice, {@code resource.k8s.io/v1} (GA since
 *     Kubernetes 1.34; {@code v1beta2} before, whose devices have the same shape)
 * @param taintRuleApiVersion API version of DeviceTaintRule: {@code resource.k8s.io/v1beta2},
 *     served by default from Kubernetes 1.37 (in 1.36 only with the v1beta2 API and the
 *     DRADeviceTaintRules gate turned on); {@code v1alpha3} on 1.33 to 1.35 with DRADeviceTaints
 */
public record DraSettings(String driver, String sliceApiVersion, String taintRuleApiVersion) {

  public static final String DEFAULT_DRIVER = "gpu.nvidia.com";
  public static final String DEFAULT_SLICE_API_VERSION = "resource.k8s.io/v1";
  public static final String DEFAULT_TAINT_RULE_API_VERSION = "resource.k8s.io/v1beta2";

  static final String GROUP = "resource.k8s.io";

  private static final Pattern VERSION =
      Pattern.compile("^" + Pattern.quote(GROUP) + "/v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$");
  private static final Pattern DRIVER =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  /** The NVIDIA DRA driver, ResourceSlice v1, DeviceTaintRule v1beta2. */
  public static DraSettings defaults() {
    return new DraSettings(
        DEFAULT_DRIVER, DEFAULT_SLICE_API_VERSION, DEFAULT_TAINT_RULE_API_VERSION);
  }

  public DraSettings {
    driver = driver == null ? "" : driver.trim();
    if (!driver.isEmpty() && (driver.length() > 63 || !DRIVER.matcher(driver).matches())) {
      throw new IllegalArgumentException("driver is not a DNS subdomain: " + driver);
    }
    version("sliceApiVersion", sliceApiVersion);
    version("taintRuleApiVersion", taintRuleApiVersion);
  }

  /** Whether DRA devices are looked up at all. */
  public boolean enabled() {
    return !driver.isEmpty();
  }

  /** This with {@code driver} and the DeviceTaintRule version; null or blank keeps the default. */
  public DraSettings with(String newDriver, String newTaintRuleApiVersion) {
    return new DraSettings(
        newDriver == null ? driver : newDriver,
        sliceApiVersion,
        newTaintRuleApiVersion == null || newTaintRuleApiVersion.isBlank()
            ? taintRuleApiVersion
            : newTaintRuleApiVersion.trim());
  }

  private static void version(String name, String v) {
    if (v == null || !VERSION.matcher(v).matches()) {
      throw new IllegalArgumentException(
          name + " must be " + GROUP + "/<version> (e.g. " + GROUP + "/v1beta2), got " + v);
    }
  }

  /** {@code v1beta2} of {@code resource.k8s.io/v1beta2}. */
  static String versionOf(String apiVersion) {
    return apiVersion.substring(GROUP.length() + 1);
  }
}
