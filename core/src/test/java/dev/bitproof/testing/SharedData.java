package dev.bitproof.testing;

import java.nio.file.Files;
import java.nio.file.Path;
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

  /** The apko golden test folder {@code apk/apko/internal/cli/testdata}. */
  public static Path apkoTestdata() {
    return require("apk/apko/internal/cli/testdata");
  }

  /** {@code testdata/<relative>} of the project. */
  public static Path testdata(String relative) {
    return projectRoot().resolve("testdata").resolve(relative);
  }
}
