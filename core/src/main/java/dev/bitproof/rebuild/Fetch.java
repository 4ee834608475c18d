package dev.bitproof.rebuild;

import dev.bitproof.fetch.FetchCode;
import dev.bitproof.fetch.FetchOptions;
import dev.bitproof.fetch.RemoteFetcher;
import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Where apko reads keys, indexes and packages from: a path relative to the build's working directory, a
 * {@code file://} URL, or an {@code http(s)://} URL (through {@link RemoteFetcher}: proxies, extra CAs, retries, the
 * cache, offline mode). Bounded; the only I/O edge of the pipeline. {@code .apk} URLs are immutable (served from the
 * cache when there); indexes and keys are fetched again when online.
 */
public final class Fetch {
  private final Path workDir;
  private final RemoteFetcher remote;
  private final FetchOptions options;

  public Fetch(Path workDir) {
    this(workDir, FetchOptions.defaults(), n -> { });
  }

  /** @param notes receives what the reader of a report should know (a corrupt cache entry replaced, a retry) */
  public Fetch(Path workDir, FetchOptions options, Consumer<String> notes) {
    this.workDir = workDir;
    this.options = options;
    this.remote = new RemoteFetcher(options, notes);
  }

  public static boolean isRemote(String location) {
    return location.startsWith("https://") || location.startsWith("http://");
  }

  /** The local file a location names (after its mirror, if any), or null for a remote one. */
  public Path local(String configured) {
    String location = options.mirrored(configured);
    if (isRemote(location)) {
      return null;
    }
    if (location.startsWith("file://")) {
      return Path.of(URI.create(location));
    }
    return workDir.resolve(location);
  }

  /** Opens the location; the caller closes. {@code limit} bounds what may be read. */
  public InputStream open(String configured, long limit, Code code) throws IOException {
    String location = options.mirrored(configured);
    Path p = local(configured);
    if (p != null) {
      try {
        return new LimitedInputStream(Files.newInputStream(p), limit, code, location);
      } catch (NoSuchFileException e) {
        throw new CheckException(FetchCode.FETCH_NOT_FOUND, location, "no such file: " + p, e);
      }
    }
    URI u;
    try {
      u = URI.create(location);
    } catch (IllegalArgumentException e) {
      throw new CheckException(FetchCode.FETCH_FAILED, location, "not a valid URL: " + e.getMessage(), e);
    }
    return remote.open(u, limit, code, location.endsWith(".apk") ? RemoteFetcher.Freshness.IMMUTABLE
        : RemoteFetcher.Freshness.REFRESH);
  }

  /**
   * Drops the cache entry of a remote location whose bytes were proved wrong, so it is never served again; true when
   * there was one (the caller may then read it once more from the network).
   */
  public boolean evict(String configured) throws IOException {
    String location = options.mirrored(configured);
    if (!isRemote(location) || options.offline()) {
      return false;
    }
    return remote.evict(URI.create(location));
  }

  public byte[] readAll(String location, long limit, Code code) throws IOException {
    try (InputStream in = open(location, limit, code)) {
      return in.readAllBytes();
    }
  }
}
