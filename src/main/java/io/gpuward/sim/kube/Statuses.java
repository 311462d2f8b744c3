package io.gpuward.sim.kube;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;

/** metav1.Status answers, as the API server sends for errors and evictions. */
final class Statuses {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private Statuses() {}

  static MockResponse of(int code, String reason, String message) {
    Status s =
        new StatusBuilder()
            .withStatus(code < 300 ? "Success" : "Failure")
            .withCode(code)
            .withReason(reason)
            .withMessage(message)
            .build();
    return json(code, JSON.asJson(s));
  }

  static MockResponse json(int code, String body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  /** 403: the object belongs to the simulated cluster. */
  static MockResponse owned(String what, String detail) {
    return of(
        403,
        "Forbidden",
        what
            + " belongs to the simulated cluster: "
            + detail
            + " (served writes: spec.unschedulable with gpuward.io/cordoned-by, and evictions)");
  }
}
