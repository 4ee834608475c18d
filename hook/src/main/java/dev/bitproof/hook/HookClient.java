package dev.bitproof.hook;

import dev.bitproof.report.CommonCode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Reads a hook's results API ({@code bitproof hook results}). */
public final class HookClient {
  /** A response larger than this is refused (a list of 1,000 full reports is well under it). */
  public static final long MAX_RESPONSE = 256L * 1024 * 1024;

  private final URI base;
  private final Optional<String> token;
  private final HttpClient http;

  /**
   * @param caCertificates PEM certificates to trust for an https hook with its own CA (default: the JDK's)
   */
  public HookClient(URI base, Optional<String> token, Optional<Path> caCertificates) {
    this.base = base;
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    caCertificates.ifPresent(p -> b.sslContext(trusting(p)));
    this.http = b.build();
  }

  /** The stored result document of an image, or empty when the hook has none. */
  public Optional<JsonNode> result(String repository, Digest digest) {
    if (!ImageReference.isValidRepository(repository)) {
      throw CheckException.usage(CommonCode.OPTION_INVALID, "not a repository name: " + repository);
    }
    byte[] b = get("/v1/results/" + repository + "@" + digest, true);
    return b == null ? Optional.empty() : Optional.of(Json.parse(b, "hook result"));
  }

  /** The list document: {@code {"results":[{repository, digest, result, …, document}]}}. */
  public JsonNode results(Optional<String> result, Optional<Instant> since, int limit) {
    StringBuilder q = new StringBuilder("/v1/results?limit=").append(limit);
    result.ifPresent(r -> q.append("&result=").append(URLEncoder.encode(r, StandardCharsets.UTF_8)));
    since.ifPresent(s -> q.append("&since=").append(URLEncoder.encode(s.toString(), StandardCharsets.UTF_8)));
    return Json.parse(get(q.toString(), false), "hook results");
  }

  private byte[] get(String path, boolean notFoundIsEmpty) {
    HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).GET();
    token.ifPresent(t -> r.header("Authorization", "Bearer " + t));
    HttpResponse<InputStream> resp;
    try {
      resp = http.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new CheckException(HookCode.HOOK_UNREACHABLE, base.toString(), "cannot reach the hook: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckException(HookCode.HOOK_UNREACHABLE, base.toString(), "interrupted");
    }
    try (InputStream in = resp.body()) {
      byte[] b = dev.bitproof.io.LimitedInputStream.readAll(in, MAX_RESPONSE, HookCode.HOOK_RESPONSE_INVALID, base.toString());
      int code = resp.statusCode();
      if (code == 200) {
        return b;
      }
      String text = new String(b, 0, Math.min(b.length, 200), StandardCharsets.UTF_8).strip();
      if (code == 404 && notFoundIsEmpty) {
        return null;
      }
      if (code == 401) {
        throw new CheckException(HookCode.HOOK_UNAUTHORIZED, base.toString(), "the hook refused the token: " + text);
      }
      if (code == 400) {
        throw CheckException.usage(HookCode.HOOK_RESULT_QUERY_INVALID, text);
      }
      throw new CheckException(HookCode.HOOK_RESPONSE_INVALID, base.toString(), "HTTP " + code + ": " + text);
    } catch (IOException e) {
      throw new CheckException(HookCode.HOOK_UNREACHABLE, base.toString(), "reading the answer: " + e, e);
    }
  }

  private static SSLContext trusting(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CheckException(IoCode.FILE_NOT_FOUND, pem.toString(), "no such CA file", e);
    } catch (IOException | GeneralSecurityException e) {
      throw new CheckException(HookCode.HOOK_TLS_INVALID, pem.toString(), "cannot read the CA certificates: " + e.getMessage(), e);
    }
  }
}
