package io.gpuward.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The four AWS SDK v2 clients of gpuward: EC2, Auto Scaling, Systems Manager and EKS, for the
 * remediator's actions (for example {@code RebootInstances}, {@code
 * TerminateInstanceInAutoScalingGroup}, {@code SendCommand}, {@code DescribeNodegroup}) and the
 * watcher's reads of the cluster's instances. Built by {@link #create}, they share one URL
 * connection HTTP client; {@link #close()} closes all of it.
 */
public final class AwsClients implements AutoCloseable {

  private final Ec2Client ec2;
  private final AutoScalingClient autoScaling;
  private final SsmClient ssm;
  private final EksClient eks;
  private final SdkHttpClient ownedHttp; // null when the caller built the clients

  /** Wraps clients the caller built and owns; {@link #close()} closes them. */
  public AwsClients(Ec2Client ec2, AutoScalingClient autoScaling, SsmClient ssm, EksClient eks) {
    this(ec2, autoScaling, ssm, eks, null);
  }

  private AwsClients(
      Ec2Client ec2,
      AutoScalingClient autoScaling,
      SsmClient ssm,
      EksClient eks,
      SdkHttpClient ownedHttp) {
    this.ec2 = Objects.requireNonNull(ec2, "ec2");
    this.autoScaling = Objects.requireNonNull(autoScaling, "autoScaling");
    this.ssm = Objects.requireNonNull(ssm, "ssm");
    this.eks = Objects.requireNonNull(eks, "eks");
    this.ownedHttp = ownedHttp;
  }

  /** The EC2 client. */
  public Ec2Client ec2() {
    return ec2;
  }

  /** The Auto Scaling client. */
  public AutoScalingClient autoScaling() {
    return autoScaling;
  }

  /** The Systems Manager client. */
  public SsmClient ssm() {
    return ssm;
  }

  /** The EKS client. */
  public EksClient eks() {
    return eks;
  }

  /**
   * Timeouts and retries shared by the four clients.
   *
   * @param connectTimeout TCP connect timeout
   * @param socketTimeout read timeout of one HTTP exchange
   * @param apiCallAttemptTimeout limit of one attempt (one HTTP request)
   * @param apiCallTimeout limit of one API call, retries included
   * @param maxAttempts attempts per call, the first included (standard retry strategy)
   * @param backoffBase base delay of the exponential, jittered backoff between attempts
   * @param throttlingBackoffBase base delay after a throttling error
   * @param maxBackoff upper bound of any backoff delay
   */
  public record Settings(
      Duration connectTimeout,
      Duration socketTimeout,
      Duration apiCallAttemptTimeout,
      Duration apiCallTimeout,
      int maxAttempts,
      Duration backoffBase,
      Duration throttlingBackoffBase,
      Duration maxBackoff) {

    /** Production defaults: 3 attempts, 5 s per attempt, 20 s per call. */
    public static final Settings DEFAULTS =
        new Settings(
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(20),
            3,
            Duration.ofMillis(100),
            Duration.ofMillis(500),
            Duration.ofSeconds(5));

    public Settings {
      requirePositive(connectTimeout, "connectTimeout");
      requirePositive(socketTimeout, "socketTimeout");
      requirePositive(apiCallAttemptTimeout, "apiCallAttemptTimeout");
      requirePositive(apiCallTimeout, "apiCallTimeout");
      requirePositive(backoffBase, "backoffBase");
      requirePositive(throttlingBackoffBase, "throttlingBackoffBase");
      requirePositive(maxBackoff, "maxBackoff");
      if (maxAttempts < 1 || maxAttempts > 10) {
        throw new IllegalArgumentException("maxAttempts must be 1..10, was " + maxAttempts);
      }
    }

    /** A copy with another number of attempts. */
    public Settings withMaxAttempts(int attempts) {
      return new Settings(
          connectTimeout,
          socketTimeout,
          apiCallAttemptTimeout,
          apiCallTimeout,
          attempts,
          backoffBase,
          throttlingBackoffBase,
          maxBackoff);
    }

    /** A copy whose backoff delays are all {@code delay} (tests: keep retries fast). */
    public Settings withBackoff(Duration delay) {
      return new Settings(
          connectTimeout,
          socketTimeout,
          apiCallAttemptTimeout,
          apiCallTimeout,
          maxAttempts,
          delay,
          delay,
          delay);
    }

    /** A copy with other attempt and call timeouts. */
    public Settings withApiTimeouts(Duration attempt, Duration call) {
      return new Settings(
          connectTimeout,
          attempt,
          attempt,
          call,
          maxAttempts,
          backoffBase,
          throttlingBackoffBase,
          maxBackoff);
    }

    private static void requirePositive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
      }
    }
  }

  /** Builds the clients with {@link Settings#DEFAULTS}. */
  public static AwsClients create(
      Region region, URI endpointOverride, AwsCredentialsProvider credentialsProvider) {
    return create(region, endpointOverride, credentialsProvider, Settings.DEFAULTS);
  }

  /**
   * Builds the four clients.
   *
   * @param region the AWS region, for example {@code Region.US_EAST_1}
   * @param endpointOverride one endpoint for all four services (a local stub in tests, a VPC
   *     endpoint proxy), or null for the regional AWS endpoints
   * @param credentialsProvider for example {@code DefaultCredentialsProvider.builder().build()}
   *     (IRSA / EKS Pod Identity in production) or static credentials in tests
   * @param settings timeouts and retries
   */
  public static AwsClients create(
      Region region,
      URI endpointOverride,
      AwsCredentialsProvider credentialsProvider,
      Settings settings) {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(credentialsProvider, "credentialsProvider");
    Objects.requireNonNull(settings, "settings");
    SdkHttpClient http =
        UrlConnectionHttpClient.builder()
            .connectionTimeout(settings.connectTimeout())
            .socketTimeout(settings.socketTimeout())
            .build();
    ClientOverrideConfiguration overrides =
        ClientOverrideConfiguration.builder()
            .retryStrategy(retryStrategy(settings))
            .apiCallAttemptTimeout(settings.apiCallAttemptTimeout())
            .apiCallTimeout(settings.apiCallTimeout())
            .build();
    Ec2Client ec2 =
        configure(
                Ec2Client.builder(), region, endpointOverride, credentialsProvider, http, overrides)
            .build();
    AutoScalingClient asg =
        configure(
                AutoScalingClient.builder(),
                region,
                endpointOverride,
                credentialsProvider,
                http,
                overrides)
            .build();
    SsmClient ssm =
        configure(
                SsmClient.builder(), region, endpointOverride, credentialsProvider, http, overrides)
            .build();
    EksClient eks =
        configure(
                EksClient.builder(), region, endpointOverride, credentialsProvider, http, overrides)
            .build();
    return new AwsClients(ec2, asg, ssm, eks, http);
  }

  /** The SDK's standard retry strategy, bounded to {@code settings.maxAttempts()}. */
  static RetryStrategy retryStrategy(Settings settings) {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(settings.maxAttempts())
        .backoffStrategy(
            BackoffStrategy.exponentialDelay(settings.backoffBase(), settings.maxBackoff()))
        .throttlingBackoffStrategy(
            BackoffStrategy.exponentialDelay(
                settings.throttlingBackoffBase(), settings.maxBackoff()))
        .build();
  }

  private static <B extends AwsSyncClientBuilder<B, ?> & AwsClientBuilder<B, ?>> B configure(
      B builder,
      Region region,
      URI endpointOverride,
      AwsCredentialsProvider credentials,
      SdkHttpClient http,
      ClientOverrideConfiguration overrides) {
    builder
        .region(region)
        .credentialsProvider(credentials)
        .httpClient(http)
        .overrideConfiguration(overrides);
    if (endpointOverride != null) {
      builder.endpointOverride(endpointOverride);
    }
    return builder;
  }

  /**
   * Closes the four clients, and the shared HTTP client when {@link #create} built it (the SDK
   * never closes an HTTP client it was given).
   */
  @Override
  public void close() {
    ec2.close();
    autoScaling.close();
    ssm.close();
    eks.close();
    if (ownedHttp != null) {
      ownedHttp.close();
    }
  }
}
