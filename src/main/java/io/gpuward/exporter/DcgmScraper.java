package io.gpuward.exporter;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * GETs a dcgm-exporter {@code /metrics} page. Every failure is a {@link ScrapeException} naming the
 * URL and a bounded {@link ScrapeException.Reason}, so callers can count failures by reason.
 */
public final class DcgmScraper {

  /** The default dcgm-exporter address on a node (hostPort 9400). */
  public static final String DEFAULT_URL = "http://127.0.0.1:9400/metrics";

  private final URI url;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param url the page, http or https
   * @param timeout for connecting and for the whole answer
   */
  public DcgmScraper(URI url, Duration timeout) {
    this.url = Objects.requireNonNull(url, "url");
    String scheme = url.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
      throw new IllegalArgumentException("'" + url + "' is not an http(s) URL");
    }
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  public URI url() {
    return url;
  }

  /** Whether {@code source} names an http(s) URL rather than a file. */
  public static boolean isUrl(String source) {
    return source.startsWith("http://") || source.startsWith("https://");
  }

  /** The page body. */
  public String fetch() throws ScrapeException {
    HttpRequest request =
        HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "text/plain").GET().build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new ScrapeException(
          ScrapeException.Reason.TIMEOUT,
          "no answer from " + url + " within " + timeout.toMillis() + " ms",
          e);
    } catch (ConnectException e) {
      throw new ScrapeException(
          ScrapeException.Reason.CONNECT,
          "cannot reach "
              + url
              + ": "
              + (e.getMessage() == null ? "connection refused" : e.getMessage()),
          e);
    } catch (IOException e) {
      throw new ScrapeException(ScrapeException.Reason.IO, "cannot read " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ScrapeException(ScrapeException.Reason.IO, "interrupted reading " + url, e);
    }
    if (response.statusCode() != 200) {
      throw new ScrapeException(
          ScrapeException.Reason.HTTP_STATUS,
          "HTTP " + response.statusCode() + " from " + url,
          null);
    }
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** A failed scrape. */
  public static final class ScrapeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why, as a bounded metric tag value. */
    public enum Reason {
      CONNECT,
      TIMEOUT,
      HTTP_STATUS,
      IO;

      /** The tag value: {@code connect}, {@code timeout}, {@code http_status}, {@code io}. */
      public String tag() {
        return name().toLowerCase(Locale.ROOT);
      }
    }

    private final Reason reason;

    public ScrapeException(Reason reason, String message, Throwable cause) {
      super(message, cause);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }
}
