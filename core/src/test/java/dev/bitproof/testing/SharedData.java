package dev.bitproof.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real upstream data in {@code ../shared/data}. Tests that need it call {@link #require}; on a user's fresh
 * clone without {@code ../shared} those tests are skipped with a message, never failed.
 */
public final class SharedData {
  private SharedData() {}

  /** The shared folder: system property {@code bitproof.shared} (set by surefire) or {@code ../shared}. */
  public static Path root() {
    String p = System.getProperty("bitproof.shared");
    if (p != null) {
      return Path.of(p).toAbsolutePath().normalize();
    }
    return projectRoot().resolve("../shared").toAbsolutePath().normalize();
  }

  /** The project's root (where {@code testdata/} is). */
  public static Path projectRoot() {
    String p = System.getProperty("bitproof.root");
    if (p != null) {
      return Path.of(p).toAbsolutePath().normalize();
    }
    Path here = Path.of("").toAbsolutePath();
    while (here != null && !Files.isDirectory(here.resolve("testdata"))) {
      here = here.getParent();
    }
    return here == null ? Path.of("").toAbsolutePath() : here;
  }

  /** {@code ../shared/data/<relative>}, skipping the test when it is absent. */
  public static Path require(String relative) {
    Path p = root().resolve("data").resolve(relative);
    Assumptions.assumeTrue(Files.exists(p), () -> "skipped: shared data not present at " + p + " (../shared is absent on a fresh clone)");
    return p;
  }

  /** Whether {@code ../shared/data/<relative>} exists (for set-up that must not abort a whole class). */
  public static boolean present(String relative) {
    return Files.exists(root().resolve("data").resolve(relative));
  }

  /**
   * A parameterized test's source over shared files: those under {@code relative} ({@code depth} levels deep) that
   * {@code filter} accepts, sorted; when the shared data is absent, one placeholder argument (a path that does not
   * exist), so the test runs once and skips through {@link #require} with its reason instead of vanishing from the
   * counts as an empty source would.
   */
  public static Stream<Path> files(String relative, int depth, Predicate<Path> filter) throws IOException {
    Path dir = root().resolve("data").resolve(relative);
    if (!Files.isDirectory(dir)) {
      return Stream.of(dir.resolve("(shared data absent)"));
    }
    try (Stream<Path> s = Files.walk(dir, depth)) {
      return s.filter(Files::isRegularFile).filter(filter).sorted().toList().stream();
    }
  }

  /** The apko golden test folder {@code apk/apko/internal/cli/testdata}. */
  public static Path apkoTestdata() {
    return require("apk/apko/internal/cli/testdata");
  }

  /** {@code testdata/<relative>} of the project. */
  public static Path testdata(String relative) {
    return projectRoot().resolve("testdata").resolve(relative);
  }
}
