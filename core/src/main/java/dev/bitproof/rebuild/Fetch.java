package dev.bitproof.rebuild;

import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where apko reads keys, indexes and packages from: a path relative to the build's working directory, a
 * {@code file://} URL, or an {@code http(s)://} URL. Bounded; the only I/O edge of the pipeline.
 */
public final class Fetch {
  private final Path workDir;
  private volatile HttpClient http;

  public Fetch(Path workDir) {
    this.workDir = workDir;
  }

  public static boolean isRemote(String location) {
    return location.startsWith("https://") || location.startsWith("http://");
  }

  /** The local file a location names, or null for a remote one. */
  public Path local(String location) {
    if (isRemote(location)) {
      return null;
    }
    if (location.startsWith("file://")) {
      return Path.of(URI.create(location));
    }
    return workDir.resolve(location);
  }

  /** Opens the location; the caller closes. {@code limit} bounds what may be read. */
  public InputStream open(String location, long limit, Code code) throws IOException {
    Path p = local(location);
    if (p != null) {
      try {
        return new LimitedInputStream(Files.newInputStream(p), limit, code, location);
      } catch (NoSuchFileException e) {
        throw new CheckException(RebuildCode.FETCH_NOT_FOUND, location, "no such file: " + p, e);
      }
    }
    HttpClient c = http;
    if (c == null) {
      c = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
      http = c;
    }
    try {
      HttpResponse<InputStream> r = c.send(HttpRequest.newBuilder(URI.create(location)).timeout(Duration.ofMinutes(5))
          .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        r.body().close();
        throw new CheckException(RebuildCode.FETCH_FAILED, location, "HTTP " + r.statusCode());
      }
      return new LimitedInputStream(r.body(), limit, code, location);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckException(RebuildCode.FETCH_FAILED, location, "interrupted", e);
    } catch (IOException | IllegalArgumentException e) {
      throw new CheckException(RebuildCode.FETCH_FAILED, location, String.valueOf(e.getMessage()), e);
    }
  }

  public byte[] readAll(String location, long limit, Code code) throws IOException {
    try (InputStream in = open(location, limit, code)) {
      return in.readAllBytes();
    }
  }
}
