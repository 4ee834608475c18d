package dev.bitproof.javaimage;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * A Java runtime made for one application by {@code jlink}: only the modules it needs, no debug attributes, header
 * files or man pages. On JDK 17 the output of two links of the same modules from the same {@code jmods} is byte for
 * byte the same (measured: docs/image.md); only the files' own times differ, and the image builder fixes those.
 */
public final class JavaRuntime {
  /** jlink's options that keep the runtime small without changing what the application can do. */
  public static final List<String> LINK_OPTIONS = List.of("--strip-debug", "--no-header-files", "--no-man-pages");

  private JavaRuntime() {}

  /**
   * Links {@code modules} from {@code jmods} (a JDK's {@code jmods} directory, of the running JDK's version) into
   * {@code output}, which must not exist. Runs jlink in this JVM ({@code jdk.jlink}'s tool provider); a failed link
   * leaves no {@code output} behind.
   */
  public static Path link(Path jmods, Set<String> modules, Path output) throws IOException {
    Objects.requireNonNull(jmods, "jmods");
    if (modules.isEmpty()) {
      throw new IllegalArgumentException("no modules to link");
    }
    if (!Files.isDirectory(jmods)) {
      throw new IOException("failed to link the Java runtime: no jmods directory at " + jmods
          + " (Debian: openjdk-17-jdk-headless ships it; a JRE does not)");
    }
    ToolProvider jlink = ToolProvider.findFirst("jlink").orElseThrow(() -> new IOException(
        "failed to link the Java runtime: this JVM has no jlink (run it on a JDK, not a JRE)"));
    List<String> args = new ArrayList<>(List.of("--module-path", jmods.toString(),
        "--add-modules", String.join(",", new TreeSet<>(modules))));
    args.addAll(LINK_OPTIONS);
    args.addAll(List.of("--output", output.toString()));
    StringWriter log = new StringWriter();
    int rc;
    try (PrintWriter w = new PrintWriter(log)) {
      rc = jlink.run(w, w, args.toArray(String[]::new));
    }
    if (rc != 0) {
      deleteTree(output);
      throw new IOException("failed to link the Java runtime (jlink exit " + rc + "): " + log.toString().strip());
    }
    return output;
  }

  /** The {@code jmods} directory of the JDK this JVM runs on. */
  public static Path runningJdkJmods() {
    return Path.of(System.getProperty("java.home"), "jmods");
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
