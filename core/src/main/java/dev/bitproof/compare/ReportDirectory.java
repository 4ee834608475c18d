package dev.bitproof.compare;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code --report-dir DIR}: both versions of every differing file, as
 * {@code DIR/<platform>/<layer>/a/<path>} and {@code …/b/<path>}, plus {@code index.json} (every file with its
 * original path, sizes, digests and where each version went or why it was not written) and a {@code README.txt}.
 *
 * <p>File names come from the images and are hostile. Each path segment is written percent-encoded
 * ({@code ..}, control characters, {@code %} and anything outside {@code [A-Za-z0-9._+,=@~-]}), so no name can
 * leave its directory; a leading {@code /} is dropped. Everything is written into a private staging directory
 * created beside DIR that holds only what this class made (no symlink is ever created, and none is followed: every
 * directory is checked with {@link LinkOption#NOFOLLOW_LINKS}); {@link #commit()} moves it to DIR in one rename. On
 * any failure, or without a commit, {@link #close()} removes the staging directory: DIR is complete or absent.
 * DIR must not exist or be empty ({@code REPORT_DIR_NOT_EMPTY}); a write that fails is
 * {@code REPORT_DIR_UNWRITABLE}.
 *
 * <p>Bounds: each version up to {@link #maxFileSize()} (a larger one is listed, not written, since the comparison
 * holds no more), at most {@link #MAX_TOTAL} bytes and {@link #MAX_FILES} files in all.
 */
public final class ReportDirectory implements DifferingFiles, AutoCloseable {
  public static final int DEFAULT_MAX_FILE = 4 * 1024 * 1024;
  public static final long MAX_TOTAL = 256L * 1024 * 1024;
  public static final int MAX_FILES = 10_000;
  static final int MAX_SEGMENT = 120;

  private final Path target;
  private final Path staging;
  private final int maxFile;
  private final Map<String, ObjectNode> index = new LinkedHashMap<>();
  private long written;
  private boolean committed;

  private ReportDirectory(Path target, Path staging, int maxFile) {
    this.target = target;
    this.staging = staging;
    this.maxFile = maxFile;
  }

  /** Refuses a DIR that cannot take a report (exists and is not an empty directory) before any work. */
  public static void check(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    if (Files.isSymbolicLink(d)) {
      throw new CheckException(CompareCode.REPORT_DIR_NOT_EMPTY, dir.toString(), "--report-dir is a symlink: give a new directory");
    }
    if (Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
        throw new CheckException(CompareCode.REPORT_DIR_NOT_EMPTY, dir.toString(), "--report-dir names a file: give a new directory");
      }
      try (Stream<Path> s = Files.list(d)) {
        if (s.findAny().isPresent()) {
          throw new CheckException(CompareCode.REPORT_DIR_NOT_EMPTY, dir.toString(),
              "--report-dir must be a new or empty directory (a report is never mixed with other files)");
        }
      } catch (IOException e) {
        throw new CheckException(CompareCode.REPORT_DIR_UNWRITABLE, dir.toString(), "cannot read: " + e.getMessage(), e);
      }
    }
    Path parent = d.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new CheckException(CompareCode.REPORT_DIR_UNWRITABLE, dir.toString(), "its parent directory does not exist");
    }
  }

  /** Checks DIR and creates the staging directory beside it. */
  public static ReportDirectory open(Path dir, int maxFileSize) {
    check(dir);
    Path d = dir.toAbsolutePath().normalize();
    try {
      Path staging = Files.createTempDirectory(d.getParent(), "." + d.getFileName() + ".partial-");
      return new ReportDirectory(d, staging, maxFileSize);
    } catch (IOException e) {
      throw new CheckException(CompareCode.REPORT_DIR_UNWRITABLE, dir.toString(), "cannot create: " + e.getMessage(), e);
    }
  }

  @Override
  public int maxFileSize() {
    return maxFile;
  }

  @Override
  public synchronized void accept(String platform, String layer, String path, Optional<byte[]> a, long sizeA,
      Optional<byte[]> b, long sizeB) {
    if (committed) {
      throw new IllegalStateException("report directory already committed");
    }
    String key = platform + "\0" + layer + "\0" + path;
    if (!index.containsKey(key) && index.size() >= MAX_FILES) {
      return; // counted in index.json's "notListed"
    }
    Path base = Path.of(segment(platform.replace('/', '_')), segment(layer.replace(' ', '-')));
    Path rel = relative(path);
    ObjectNode row = Json.mapper().createObjectNode();
    row.put("platform", platform).put("layer", layer).put("path", path);
    side(row.putObject("a"), base.resolve("a").resolve(rel), a, sizeA);
    side(row.putObject("b"), base.resolve("b").resolve(rel), b, sizeB);
    index.put(key, row); // a later comparison of the same file replaces the earlier one
  }

  private void side(ObjectNode n, Path rel, Optional<byte[]> bytes, long size) {
    if (size < 0) {
      n.put("written", false).put("reason", "not a regular file on this side (absent or another type)");
      return;
    }
    n.put("size", size);
    if (bytes.isEmpty()) {
      n.put("written", false).put("reason", "larger than the " + maxFile + "-byte cap (or over the held-content budget)");
      return;
    }
    byte[] b = bytes.get();
    n.put("sha256", Digest.sha256(b).toString());
    if (written + b.length > MAX_TOTAL) {
      n.put("written", false).put("reason", "the report directory's " + MAX_TOTAL + "-byte total cap is reached");
      return;
    }
    Path file = staging.resolve(rel).normalize();
    if (!file.startsWith(staging) || file.equals(staging)) {
      n.put("written", false).put("reason", "no safe file name");
      return;
    }
    try {
      mkdirs(file.getParent());
      Path f = file;
      for (int i = 1; Files.exists(f, LinkOption.NOFOLLOW_LINKS); i++) {
        f = file.resolveSibling(file.getFileName() + "~" + i);
      }
      Files.write(f, b, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      written += b.length;
      n.put("written", true).put("file", staging.relativize(f).toString().replace('\\', '/'));
    } catch (FileAlreadyExistsException | NotADirectory e) {
      // a file and a directory of the same name (a path that is a file on one layer, a directory's parent on another)
      n.put("written", false).put("reason", "its name collides with another written file");
    } catch (IOException e) {
      throw new CheckException(CompareCode.REPORT_DIR_UNWRITABLE, target.toString(), "writing " + rel + " failed: "
          + e.getMessage(), e);
    }
  }

  /** Thrown when a path component exists as a file. */
  private static final class NotADirectory extends IOException {
    NotADirectory(Path p) {
      super(p + " is not a directory");
    }
  }

  /** Creates the directories below staging one by one, refusing any component that is not a real directory. */
  private void mkdirs(Path dir) throws IOException {
    Path p = staging;
    for (Path seg : staging.relativize(dir)) {
      p = p.resolve(seg);
      if (Files.isSymbolicLink(p)) {
        throw new IOException(p + " is a symlink: refusing to follow it");
      }
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          throw new NotADirectory(p);
        }
      } else {
        Files.createDirectory(p);
      }
    }
  }

  /** The entry's path as a relative path of safe segments. */
  static Path relative(String path) {
    List<String> segs = new ArrayList<>();
    for (String s : path.split("/", -1)) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      segs.add(segment(s));
    }
    if (segs.isEmpty()) {
      segs.add("%2e"); // the root itself
    }
    return Path.of(segs.get(0), segs.subList(1, segs.size()).toArray(String[]::new));
  }

  /**
   * One path segment, percent-encoded so that it is a plain name on any filesystem: never {@code ..}, no separator,
   * no control character; over {@value #MAX_SEGMENT} characters it is cut and suffixed with a digest of the whole.
   */
  static String segment(String s) {
    if (s.equals("..") || s.equals(".")) {
      return s.replace(".", "%2e");
    }
    StringBuilder sb = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      boolean plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "._+,=@~-".indexOf(c) >= 0;
      if (plain) {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02x", c));
      }
    }
    String out = sb.toString();
    if (out.isEmpty()) {
      return "%00";
    }
    if (out.length() > MAX_SEGMENT) {
      out = out.substring(0, MAX_SEGMENT) + "~" + Digest.sha256(s.getBytes(StandardCharsets.UTF_8)).shortHex();
    }
    return out;
  }

  /** A comparison (or a verification that compares) run with given compare options. */
  @FunctionalInterface
  public interface Work<T> {
    T run(CompareOptions options) throws IOException;
  }

  /**
   * Runs {@code work} with {@code options} that also write the differing files into {@code dir}, when given: DIR is
   * checked before any work, committed when the work returns, and its staging directory removed whatever happens.
   */
  public static <T> T writing(Optional<Path> dir, CompareOptions options, Work<T> work) throws IOException {
    if (dir.isEmpty()) {
      return work.run(options);
    }
    try (ReportDirectory rd = open(dir.get(), DEFAULT_MAX_FILE)) {
      T t = work.run(options.withDifferingFiles(rd));
      rd.commit();
      return t;
    }
  }

  /** Writes index.json and README.txt and moves the staging directory to DIR in one rename. */
  public synchronized Path commit() {
    try {
      ObjectNode root = Json.mapper().createObjectNode();
      root.put("description", "both versions of each differing file; paths percent-encoded; see README.txt");
      ArrayNode files = root.putArray("files");
      index.values().forEach(files::add);
      root.put("bytesWritten", written);
      Files.write(staging.resolve("index.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root),
          StandardOpenOption.CREATE_NEW);
      Files.writeString(staging.resolve("README.txt"), """
          bitproof --report-dir: both versions of every file that differs.
            PLATFORM/LAYER/a/PATH   the file in image A
            PLATFORM/LAYER/b/PATH   the file in image B
          LAYER is "layer-N" (layers compared by position) or "merged" (layer counts differ).
          Path segments are percent-encoded (.., control characters and other bytes outside [A-Za-z0-9._+,=@~-]).
          index.json lists every file: its original path, sizes, sha256 and where each version was written, or why not
          (not a regular file on that side, larger than the per-file cap, total cap reached).
          """, StandardOpenOption.CREATE_NEW);
      try {
        Files.deleteIfExists(target); // an empty directory (check() refused anything else)
      } catch (DirectoryNotEmptyException e) {
        throw new CheckException(CompareCode.REPORT_DIR_NOT_EMPTY, target.toString(), "something was written to it meanwhile");
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      committed = true;
      return target;
    } catch (IOException e) {
      throw new CheckException(CompareCode.REPORT_DIR_UNWRITABLE, target.toString(), "cannot write: " + e.getMessage(), e);
    }
  }

  /** Removes the staging directory unless it was committed. */
  @Override
  public synchronized void close() {
    if (committed) {
      return;
    }
    try (Stream<Path> s = Files.walk(staging)) {
      // walk does not follow links; everything below was made here
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
