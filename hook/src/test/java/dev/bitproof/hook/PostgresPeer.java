package dev.bitproof.hook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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

  /** Starts (once per JVM) a cluster of Debian's postgresql in a temporary directory; null when it cannot. */
  private static synchronized String privateCluster() {
    if (privateUrl != null || privateFailure != null) {
      return privateUrl;
    }
    try {
      Optional<Path> bin = debianBin();
      if (bin.isEmpty()) {
        privateFailure = "postgresql is not installed (/usr/lib/postgresql/*/bin)";
        return null;
      }
      boolean root = "root".equals(System.getProperty("user.name"));
      Path dir = Files.createTempDirectory("bitproof-pg-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(bin.get(), dir, root)));
      if (root) {
        run(List.of("chown", "postgres:postgres", dir.toString()), dir.resolve("chown.log"));
      }
      Path data = dir.resolve("data");
      run(asPostgres(root, bin.get().resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
          "--auth=trust", "-E", "UTF8", "--no-sync"), dir.resolve("initdb.log"));
      // PostgreSQL cannot be told to take port 0, so it gets a random port below the kernel's ephemeral range
      // (where port-0 listeners never land) and another one when that is taken: a collision is retried, never a
      // failure.
      for (int attempt = 0; attempt < 20; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(20000, 32000);
        int rc = runRc(asPostgres(root, bin.get().resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
            dir.resolve("server.log").toString(), "-w", "-t", "300", "-o",
            "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir + " -c max_connections=200 -c fsync=off",
            "start"), dir.resolve("pg_ctl.log"));
        if (rc == 0) {
          privateUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
          System.out.println("PostgreSQL: no server at " + DEFAULT_URL + "; started a private cluster on 127.0.0.1:"
              + port + " in " + dir);
          return privateUrl;
        }
      }
      privateFailure = "a private cluster did not start: " + Files.readString(dir.resolve("server.log")).strip();
    } catch (IOException | InterruptedException | RuntimeException e) {
      privateFailure = "a private cluster did not start: " + e.getMessage();
    }
    return null;
  }

  private static Optional<Path> debianBin() throws IOException {
    Path lib = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(lib)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(lib)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("pg_ctl")) && Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())));
    }
  }

  private static int versionOf(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static List<String> asPostgres(boolean root, String... command) {
    List<String> c = new ArrayList<>();
    if (root) {
      c.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    c.addAll(List.of(command));
    return c;
  }

  private static void run(List<String> command, Path log) throws IOException, InterruptedException {
    if (runRc(command, log) != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log).strip());
    }
  }

  private static int runRc(List<String> command, Path log) throws IOException, InterruptedException {
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    Process p = b.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log.toFile()))
        .start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish");
    }
    return p.exitValue();
  }

  private static void stop(Path bin, Path dir, boolean root) {
    try {
      if (Files.exists(dir.resolve("data/postmaster.pid"))) {
        runRc(asPostgres(root, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m",
            "immediate", "-w", "stop"), null);
      }
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
