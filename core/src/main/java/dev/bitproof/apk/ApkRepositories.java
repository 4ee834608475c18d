package dev.bitproof.apk;

import dev.bitproof.fetch.FetchCode;
import dev.bitproof.rebuild.RebuildCode;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import java.io.IOException;
import java.net.URI;
import dev.bitproof.fetch.FetchOptions;
import dev.bitproof.fetch.RemoteFetcher;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fetches APKINDEX files and packages from repositories: local directories, {@code file://} URLs and
 * {@code http(s)://} URLs. Packages are checked against the index stanza that named them (Q1 of the control stream,
 * and {@code S:} size) before anything is returned or cached; the cache is content-addressed by that Q1 and a cached
 * file whose bytes do not match its name is thrown away and fetched again, never served.
 *
 * <p>Fetching is I/O at the edge; parsing and verifying stay pure ({@link ApkPackage}, {@link ApkIndex}).
 */
public final class ApkRepositories implements AutoCloseable {
  /**
   * @param cacheDir where packages are cached by checksum, or null for no cache
   * @param maxConcurrency how many fetches run at once in {@link #fetchAll}
   * @param timeout per request
   * @param maxPackageBytes larger packages are refused
   * @param maxIndexBytes larger index files are refused
   * @param fetch how remote repositories are reached (proxy, extra CAs, retries, its cache and offline mode for
   *     indexes); packages have their own cache, named by their index checksum, in {@code cacheDir}
   */
  public record Options(Path cacheDir, int maxConcurrency, Duration timeout, long maxPackageBytes, long maxIndexBytes,
      FetchOptions fetch) {
    public Options {
      if (maxConcurrency < 1) {
        throw new IllegalArgumentException("maxConcurrency must be at least 1");
      }
      fetch = fetch == null ? FetchOptions.defaults() : fetch;
    }

    public Options(Path cacheDir, int maxConcurrency, Duration timeout, long maxPackageBytes, long maxIndexBytes) {
      this(cacheDir, maxConcurrency, timeout, maxPackageBytes, maxIndexBytes, null);
    }

    public static Options defaults(Path cacheDir) {
      return new Options(cacheDir, 4, Duration.ofSeconds(60), 2L * 1024 * 1024 * 1024, 512L * 1024 * 1024);
    }

    public Options withFetch(FetchOptions f) {
      return new Options(cacheDir, maxConcurrency, timeout, maxPackageBytes, maxIndexBytes, f);
    }
  }

  /**
   * A repository line as apko and {@code /etc/apk/repositories} write it: {@code [@tag ]location}.
   *
   * @param tag the tag, "" when untagged
   * @param location a directory path, {@code file://} or {@code http(s)://} URL, trailing slashes removed
   */
  public record RepositoryRef(String tag, String location) {
    public static RepositoryRef parse(String line) {
      String s = line.strip();
      String tag = "";
      if (s.startsWith("@")) {
        int sp = s.indexOf(' ');
        if (sp < 0) {
          throw CheckException.usage(ApkCode.APK_REPOSITORY_INVALID, "repository '" + line + "' has a tag but no location");
        }
        tag = s.substring(1, sp);
        s = s.substring(sp + 1).strip();
      }
      while (s.endsWith("/") && s.length() > 1) {
        s = s.substring(0, s.length() - 1);
      }
      return new RepositoryRef(tag, s);
    }

    boolean remote() {
      return location.startsWith("http://") || location.startsWith("https://");
    }

    /** {@code <location>/<arch>/<file>} */
    String resolve(String arch, String file) {
      return location + "/" + arch + "/" + file;
    }
  }

  /** A package fetched and checked against its index stanza. */
  public record Fetched(IndexEntry entry, byte[] bytes, ApkPackage pkg, boolean fromCache) {}

  private final Options options;
  private final RemoteFetcher remote;
  private final ExecutorService pool;

  public ApkRepositories(Options options) {
    this.options = options;
    this.remote = new RemoteFetcher(options.fetch(), null);
    this.pool = Executors.newFixedThreadPool(options.maxConcurrency(), r -> {
      Thread t = new Thread(r, "apk-fetch");
      t.setDaemon(true);
      return t;
    });
  }

  /** The raw bytes of {@code <repo>/<arch>/APKINDEX.tar.gz}. */
  public byte[] fetchIndexBytes(RepositoryRef repo, String arch) throws IOException {
    return read(repo, repo.resolve(arch, "APKINDEX.tar.gz"), options.maxIndexBytes(), ApkCode.APKINDEX_TOO_LARGE);
  }

  /** Fetches and parses a repository's index (its signature is checked by {@link ApkVerifier}, not here). */
  public ApkIndex fetchIndex(RepositoryRef repo, String arch) throws IOException {
    String where = repo.resolve(arch, "APKINDEX.tar.gz");
    return ApkIndex.read(fetchIndexBytes(repo, arch), where);
  }

  /**
   * Fetches one package named by an index stanza, from the cache when a valid copy is there. Its Q1 checksum must
   * equal the stanza's {@code C:} and its size the stanza's {@code S:}, else {@code APK_FETCH_CHECKSUM_MISMATCH}.
   */
  public Fetched fetch(RepositoryRef repo, String arch, IndexEntry entry) throws IOException {
    String expected = entry.checksum();
    String hex = checksumHex(expected, entry.id());
    Path cached = options.cacheDir() == null ? null : options.cacheDir().resolve("apk").resolve(hex + ".apk");
    if (cached != null && Files.isRegularFile(cached)) {
      byte[] b = Files.readAllBytes(cached);
      try {
        ApkPackage p = ApkPackage.read(b, cached.toString());
        if (p.checksum().equals(expected)) {
          return new Fetched(entry, b, p, true);
        }
      } catch (CheckException e) {
        // fall through: a corrupt cache entry is replaced, never served
      }
      Files.deleteIfExists(cached);
    }
    String where = repo.resolve(arch, entry.fileName());
    byte[] b = read(repo, where, options.maxPackageBytes(), ApkCode.APK_TOO_LARGE);
    ApkPackage p = ApkPackage.read(b, where);
    if (!p.checksum().equals(expected)) {
      throw CheckException.integrity(ApkCode.APK_FETCH_CHECKSUM_MISMATCH, where,
          "package checksum " + p.checksum() + " is not the index's " + expected);
    }
    if (entry.size() != 0 && entry.size() != b.length) {
      throw CheckException.integrity(ApkCode.APK_FETCH_CHECKSUM_MISMATCH, where,
          "package is " + b.length + " bytes, the index says " + entry.size());
    }
    if (cached != null) {
      Files.createDirectories(cached.getParent());
      Path tmp = Files.createTempFile(cached.getParent(), hex, ".partial");
      Files.write(tmp, b);
      try {
        Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return new Fetched(entry, b, p, false);
  }

  /** A package to fetch. */
  public record Request(RepositoryRef repo, String arch, IndexEntry entry) {}

  /** Fetches many packages, at most {@code maxConcurrency} at a time; results in request order. */
  public List<Fetched> fetchAll(List<Request> requests) throws IOException {
    List<Future<Fetched>> futures = new ArrayList<>();
    for (Request r : requests) {
      futures.add(pool.submit(() -> fetch(r.repo(), r.arch(), r.entry())));
    }
    List<Fetched> out = new ArrayList<>();
    for (Future<Fetched> f : futures) {
      try {
        out.add(f.get());
      } catch (ExecutionException e) {
        futures.forEach(x -> x.cancel(true));
        if (e.getCause() instanceof CheckException ce) {
          throw ce;
        }
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    return out;
  }

  static String checksumHex(String q1, String subject) {
    if (!q1.startsWith("Q1")) {
      throw CheckException.integrity(ApkCode.APKINDEX_CHECKSUM_INVALID, subject, "index checksum '" + q1 + "' is not Q1<base64 sha1>");
    }
    try {
      byte[] d = Base64.getDecoder().decode(q1.substring(2));
      if (d.length != 20) {
        throw new IllegalArgumentException("length " + d.length);
      }
      return HexFormat.of().formatHex(d);
    } catch (IllegalArgumentException e) {
      throw CheckException.integrity(ApkCode.APKINDEX_CHECKSUM_INVALID, subject, "index checksum '" + q1 + "' is not Q1<base64 sha1>");
    }
  }

  private byte[] read(RepositoryRef repo, String where, long max, Code tooLarge) throws IOException {
    if (repo.remote()) {
      try {
        return remote.readAll(URI.create(where), max, tooLarge, RemoteFetcher.Freshness.REFRESH);
      } catch (CheckException e) {
        // this class's contract: an unreachable or missing file is APK_FETCH_FAILED; TLS and proxy codes stay
        if (e.code() == FetchCode.FETCH_FAILED || e.code() == FetchCode.FETCH_NOT_FOUND) {
          throw new CheckException(ApkCode.APK_FETCH_FAILED, where, e.getMessage(), e);
        }
        if (e.code().equals(tooLarge)) {
          throw CheckException.integrity(tooLarge, where, e.getMessage());
        }
        throw e;
      } catch (IllegalArgumentException e) {
        throw new CheckException(ApkCode.APK_FETCH_FAILED, where, "not a valid URL: " + e.getMessage(), e);
      }
    }
    Path p = repo.location().startsWith("file://") ? Path.of(URI.create(where)) : Path.of(where);
    if (!Files.isRegularFile(p)) {
      throw new CheckException(ApkCode.APK_FETCH_FAILED, where, "no such file");
    }
    if (Files.size(p) > max) {
      throw CheckException.integrity(tooLarge, where, "file is larger than " + max + " bytes");
    }
    return Files.readAllBytes(p);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
