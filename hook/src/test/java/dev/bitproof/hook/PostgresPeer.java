package dev.bitproof.hook;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL cluster {@code .ci/postgres.sh} starts (Debian's postgresql, 127.0.0.1:55432), or
 * {@code BITPROOF_PG_URL}. Each call makes a fresh database, so tests never see each other's jobs. Without a server
 * the test skips, or fails under {@code BITPROOF_REQUIRE_PEERS=1} (CI).
 */
public final class PostgresPeer {
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:55432/postgres?user=postgres";

  private PostgresPeer() {}

  /** A JDBC URL of a new, empty database. */
  public static String freshDatabase() {
    String admin = System.getenv().getOrDefault("BITPROOF_PG_URL", DEFAULT_URL);
    String name = "hook_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      String why = "skipped: no PostgreSQL at " + admin + " (.ci/postgres.sh start; apt-get install postgresql): " + e.getMessage();
      if (System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
        throw new AssertionError(why.replace("skipped: ", "BITPROOF_REQUIRE_PEERS is set but there is "), e);
      }
      System.out.println(why);
      Assumptions.abort(why);
    }
    int slash = admin.indexOf('/', "jdbc:postgresql://".length());
    int q = admin.indexOf('?', slash);
    return admin.substring(0, slash + 1) + name + (q < 0 ? "" : admin.substring(q));
  }
}
