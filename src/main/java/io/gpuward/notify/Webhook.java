package io.gpuward.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** One POST of a CloudEvent to the webhook, and what its answer means for a retry. */
public final class Webhook {

  /** What one attempt came to. */
  public sealed interface Result {
    /** 2xx: the receiver has it. */
    record Delivered(int status) implements Result {}

    /** Worth another try: a 5xx, 408, 429, or no answer at all. */
    record Retry(String why) implements Result {}

    /** The receiver refused this event for good (another 4xx): retrying cannot help. */
    record Rejected(int status, String body) implements Result {}
  }

  private final URI url;
  private final Map<String, String> headers;
  private final HttpClient http;
  private final Duration timeout;

  /**
   * @param ssl the TLS context (its trust decides which servers are believed), or null for the
   *     JVM's default
   */
  public Webhook(URI url, Map<String, String> headers, SSLContext ssl, Duration timeout) {
    if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
      throw new IllegalArgumentException("webhook URL must be http(s): " + url);
    }
    this.url = url;
    this.headers = Map.copyOf(headers);
    this.timeout = timeout;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    this.http = b.build();
  }

  public URI url() {
    return url;
  }

  /** One attempt; never throws for what the network or the receiver does. */
  public Result post(CloudEvent e) throws InterruptedException {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", CloudEvent.CONTENT_TYPE)
            .POST(HttpRequest.BodyPublishers.ofByteArray(e.toJson()));
    headers.forEach(r::header);
    try {
      HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
      return classify(resp.statusCode(), resp.body());
    } catch (IOException ex) {
      return new Result.Retry(ex.getClass().getSimpleName() + ": " + ex.getMessage());
    }
  }

  static Result classify(int status, String body) {
    if (status >= 200 && status < 300) {
      return new Result.Delivered(status);
    }
    if (status >= 500 || status == 408 || status == 429) {
      return new Result.Retry("HTTP " + status);
    }
    String b = body == null ? "" : body;
    return new Result.Rejected(status, b.length() > 200 ? b.substring(0, 200) + "…" : b);
  }
}
