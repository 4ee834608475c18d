package dev.bitproof.hook;

import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL for the hook's replica tests: the cluster {@code .ci/postgres.sh} starts (Debian's postgresql,
 * 127.0.0.1:55432) or {@code BITPROOF_PG_URL} when it answers; otherwise, when Debian's postgresql is installed, a
 * private cluster this JVM starts itself in a temporary directory and stops when it exits (as
 * {@code LocalRegistry} does with the registry). Each call makes a fresh database, so tests never see each other's
 * jobs. Without either the test skips, or fails under {@code BITPROOF_REQUIRE_PEERS=1} (CI).
 */
public final class PostgresPeer {
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:55432/postgres?user=postgres";

  private static String privateUrl;
  private static String privateFailure;

  private PostgresPeer() {}

  /** A JDBC URL of a new, empty database. */
  public static String freshDatabase() {
    String configured = System.getenv("BITPROOF_PG_URL");
    String admin = configured != null ? configured : DEFAULT_URL;
    String name = "hook_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    SQLException failure;
    try {
      create(admin, name);
      return urlOf(admin, name);
    } catch (SQLException e) {
      failure = e;
    }
    String own = configured == null ? privateCluster() : null;
    if (own != null) {
      try {
        create(own, name);
        return urlOf(own, name);
      } catch (SQLException e) {
        failure.addSuppressed(e);
      }
    }
    String why = "skipped: no PostgreSQL at " + admin + " (.ci/postgres.sh start; apt-get install postgresql): "
        + failure.getMessage() + (privateFailure == null ? "" : "; no private cluster either: " + privateFailure);
    if (System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
      throw new AssertionError(why.replace("skipped: ", "BITPROOF_REQUIRE_PEERS is set but there is "), failure);
    }
    System.out.println(why);
    Assumptions.abort(why);
    throw new AssertionError("unreachable");
  }

  private static void create(String admin, String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
  }

  private static String urlOf(String admin, String name) {
    int slash = admin.indexOf('/', "jdbc:postgresql://".length());
    int q = admin.indexOf('?', slash);
    return admin.substring(0, slash + 1) + name + (q < 0 ? "" : admin.substring(q));
  }

  /**
   * Starts (once per JVM) a cluster of Debian's postgresql in a temporary directory with {@code .ci/postgres.sh}, the
   * script CI starts its own cluster with (initdb, {@code runuser} when root, loopback only); null when it cannot.
   */
  private static synchronized String privateCluster() {
    if (privateUrl != null || privateFailure != null) {
      return privateUrl;
    }
    try {
      Path script = SharedData.projectRoot().resolve(".ci/postgres.sh");
      if (!Files.isDirectory(Path.of("/usr/lib/postgresql")) || !Files.isExecutable(script)) {
        privateFailure = "postgresql is not installed (/usr/lib/postgresql)";
        return null;
      }
      Path dir = Files.createTempDirectory("bitproof-pg-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      // PostgreSQL cannot be told to take port 0, so it gets a random port below the kernel's ephemeral range
      // (where port-0 listeners never land) and another one when that is taken: a collision is retried, never a
      // failure.
      for (int attempt = 0; attempt < 20; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(20000, 32000);
        if (run(script, dir, port, "start") == 0) {
          Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(script, dir, port)));
          privateUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
          System.out.println("PostgreSQL: no server at " + DEFAULT_URL + "; started a private cluster on 127.0.0.1:"
              + port + " in " + dir);
          return privateUrl;
        }
      }
      privateFailure = "a private cluster did not start: " + Files.readString(dir.resolve("start.log")).strip();
    } catch (IOException | InterruptedException | RuntimeException e) {
      privateFailure = "a private cluster did not start: " + e.getMessage();
    }
    return null;
  }

  /** {@code .ci/postgres.sh start|stop} for the cluster in {@code dir} on {@code port}; its output in DIR/ACTION.log. */
  private static int run(Path script, Path dir, int port, String action) throws IOException, InterruptedException {
    ProcessBuilder b = new ProcessBuilder(script.toString(), action).redirectErrorStream(true)
        .redirectOutput(dir.resolve(action + ".log").toFile());
    b.environment().put("BITPROOF_PG_DIR", dir.toString());
    b.environment().put("BITPROOF_PG_PORT", Integer.toString(port));
    Process p = b.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(script + " " + action + " did not finish");
    }
    return p.exitValue();
  }

  private static void stop(Path script, Path dir, int port) {
    try {
      run(script, dir, port, "stop");
    } catch (IOException | InterruptedException e) {
      // the JVM is exiting; the directory is left for the operating system's temporary cleaning
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // best effort
    }
  }
}
