package dev.bitproof.hook;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The durable queue and result store: one table, {@code hook_job}, on SQLite (one process, a file in the state
 * directory) or PostgreSQL (any number of replicas). A job's identity is (registry, repository, digest, policy version):
 * enqueueing the same image twice collapses onto one row. A job is claimed with a lease; the worker extends the lease
 * while it runs, and a lease that ran out (its process died) makes the job claimable again. Completing a job is fenced
 * by (owner, attempt), so a worker that lost its lease cannot overwrite the result of the one that took over.
 *
 * <p>The schema is created and upgraded by Flyway from {@code db/migration/{sqlite,postgresql}}; nothing here runs DDL.
 */
public final class JobStore implements AutoCloseable {
  /** The stored result document is refused above this (a verify report of a 100-platform index is a few MiB). */
  public static final int MAX_DOCUMENT = 64 * 1024 * 1024;

  public enum Dialect { SQLITE, POSTGRESQL }

  public enum State { QUEUED, RUNNING, DONE }

  /** An image to verify, as stored when its event is acknowledged. */
  public record NewJob(String registry, String repository, Digest digest, String policyVersion, Optional<String> tag,
      String mediaType, String eventId) {}

  /** A claimed job: {@code attempt} counts claims, 1 for the first run. */
  public record Job(long id, String registry, String repository, Digest digest, String policyVersion,
      Optional<String> tag, String mediaType, String eventId, int attempt, String owner) {}

  /** A finished job as the results API shows it. */
  public record Stored(long id, String registry, String repository, Digest digest, String policyVersion,
      String result, int attempts, int events, long createdAt, long finishedAt, byte[] document) {}

  public record Enqueued(int added, int duplicates) {}

  private final Dialect dialect;
  private final HikariDataSource pool;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private volatile boolean migrated;

  private JobStore(Dialect dialect, HikariDataSource pool, FileChannel lockChannel, FileLock lock) {
    this.dialect = dialect;
    this.pool = pool;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * The embedded store: {@code STATE/hook.db}. One process owns a state directory ({@code STATE/hook.lock}); so
   * every job still marked running was left by a process that died, and is queued again at once.
   */
  public static JobStore sqlite(Path state, int connections) {
    try {
      Files.createDirectories(state);
      FileChannel ch = FileChannel.open(state.resolve("hook.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException sameJvm) {
        l = null;
      }
      if (l == null) {
        ch.close();
        throw new CheckException(HookCode.HOOK_STATE_LOCKED, state.toString(),
            "another hook process uses this state directory (SQLite serves one process; use PostgreSQL for replicas)");
      }
      HikariConfig c = new HikariConfig();
      c.setJdbcUrl("jdbc:sqlite:" + state.resolve("hook.db").toAbsolutePath());
      c.addDataSourceProperty("journal_mode", "WAL");
      c.addDataSourceProperty("synchronous", "FULL");
      c.addDataSourceProperty("busy_timeout", "60000");
      c.addDataSourceProperty("foreign_keys", "true");
      c.setMaximumPoolSize(Math.max(2, connections));
      c.setPoolName("bitproof-hook-sqlite");
      JobStore s = open(Dialect.SQLITE, c, ch, l);
      s.requeueAllRunning();
      return s;
    } catch (java.io.IOException e) {
      throw new CheckException(HookCode.HOOK_DATABASE_UNAVAILABLE, state.toString(), "cannot open the state directory: " + e.getMessage(), e);
    }
  }

  /** The shared store: a PostgreSQL JDBC URL ({@code jdbc:postgresql://host:port/db?user=…}). */
  public static JobStore postgresql(String jdbcUrl, Optional<String> password, int connections) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(jdbcUrl);
    password.ifPresent(c::setPassword);
    c.setMaximumPoolSize(Math.max(2, connections));
    c.setPoolName("bitproof-hook-postgresql");
    // the hook starts even when the database is down; /readyz says so and events get 503 until it is back
    c.setInitializationFailTimeout(-1);
    return open(Dialect.POSTGRESQL, c, null, null);
  }

  private static JobStore open(Dialect d, HikariConfig c, FileChannel ch, FileLock l) {
    // short: an event waits at most this long for a connection before its 503 (the registry's timeout is ~5 s)
    c.setConnectionTimeout(3_000);
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(c);
    } catch (RuntimeException e) {
      throw new CheckException(HookCode.HOOK_DATABASE_UNAVAILABLE, d.name().toLowerCase(java.util.Locale.ROOT),
          "cannot open the database: " + e.getMessage(), e);
    }
    JobStore s = new JobStore(d, ds, ch, l);
    try {
      s.schema();
    } catch (SQLException e) {
      if (d == Dialect.SQLITE) {
        s.close();
        throw new CheckException(HookCode.HOOK_DATABASE_UNAVAILABLE, "sqlite", "cannot migrate the database schema: " + e.getMessage(), e);
      }
      // PostgreSQL may come up after the hook: migrated on first use; until then /readyz and events answer 503
    }
    return s;
  }

  /** Creates or upgrades the schema once (Flyway; its own lock makes concurrent replicas safe). */
  private void schema() throws SQLException {
    if (migrated) {
      return;
    }
    synchronized (this) {
      if (migrated) {
        return;
      }
      try {
        Flyway.configure(JobStore.class.getClassLoader())
            .dataSource(pool)
            .locations("classpath:db/migration/" + (dialect == Dialect.SQLITE ? "sqlite" : "postgresql"))
            .table("hook_schema_history")
            .load()
            .migrate();
      } catch (RuntimeException e) {
        throw new SQLException("cannot migrate the database schema: " + e.getMessage(), e);
      }
      migrated = true;
    }
  }

  private Connection connection() throws SQLException {
    schema();
    return pool.getConnection();
  }

  public Dialect dialect() {
    return dialect;
  }

  /** Stores the jobs in one transaction; duplicates only count their event. Throws when the database is down. */
  public Enqueued enqueue(List<NewJob> unordered, long now) throws SQLException {
    if (unordered.isEmpty()) {
      return new Enqueued(0, 0);
    }
    // one key order for every replica's transaction: two envelopes naming the same images cannot deadlock
    List<NewJob> jobs = new ArrayList<>(unordered);
    jobs.sort(java.util.Comparator.comparing(NewJob::repository).thenComparing(j -> j.digest().toString())
        .thenComparing(NewJob::registry).thenComparing(NewJob::policyVersion));
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      int added = 0;
      int dup = 0;
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO hook_job (registry, repository, digest, policy_version,"
          + " tag, media_type, event_id, state, created_at, next_attempt_at) VALUES (?,?,?,?,?,?,?,'queued',?,?)"
          + " ON CONFLICT (registry, repository, digest, policy_version) DO NOTHING");
          PreparedStatement bump = c.prepareStatement("UPDATE hook_job SET events = events + 1 WHERE registry = ?"
              + " AND repository = ? AND digest = ? AND policy_version = ?")) {
        for (NewJob j : jobs) {
          ins.setString(1, j.registry());
          ins.setString(2, j.repository());
          ins.setString(3, j.digest().toString());
          ins.setString(4, j.policyVersion());
          if (j.tag().isPresent()) {
            ins.setString(5, j.tag().get());
          } else {
            ins.setNull(5, Types.VARCHAR);
          }
          ins.setString(6, j.mediaType());
          ins.setString(7, j.eventId());
          ins.setLong(8, now);
          ins.setLong(9, now);
          if (ins.executeUpdate() == 1) {
            added++;
          } else {
            dup++;
            bump.setString(1, j.registry());
            bump.setString(2, j.repository());
            bump.setString(3, j.digest().toString());
            bump.setString(4, j.policyVersion());
            bump.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
      return new Enqueued(added, dup);
    }
  }

  /**
   * Claims the next due job (queued and due, or running with a lease that ran out) for {@code owner} until
   * {@code leaseUntil}. PostgreSQL replicas skip rows another claim holds; SQLite serializes writers.
   */
  public Optional<Job> claim(String owner, long now, long leaseUntil) throws SQLException {
    String pick = "SELECT id FROM hook_job WHERE (state = 'queued' AND next_attempt_at <= ?)"
        + " OR (state = 'running' AND lease_until < ?) ORDER BY next_attempt_at, id LIMIT 1"
        + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "");
    String sql = "UPDATE hook_job SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?"
        + " WHERE id = (" + pick + ") RETURNING id, registry, repository, digest, policy_version, tag, media_type,"
        + " event_id, attempts";
    try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, owner);
      ps.setLong(2, leaseUntil);
      ps.setLong(3, now);
      ps.setLong(4, now);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Job(rs.getLong(1), rs.getString(2), rs.getString(3), Digest.parse(rs.getString(4)),
            rs.getString(5), Optional.ofNullable(rs.getString(6)), rs.getString(7), rs.getString(8), rs.getInt(9), owner));
      }
    }
  }

  /** Extends the lease of a running job; false when it was lost (another worker took the job over). */
  public boolean extend(Job j, long leaseUntil) throws SQLException {
    return update("UPDATE hook_job SET lease_until = ? WHERE id = ? AND state = 'running' AND lease_owner = ?"
        + " AND attempts = ?", leaseUntil, j.id(), j.owner(), j.attempt()) == 1;
  }

  /** Records the result; false when the lease was lost meanwhile (the other worker's result stands). */
  public boolean complete(Job j, String result, byte[] document, long now) throws SQLException {
    if (document.length > MAX_DOCUMENT) {
      throw new SQLException("result document over " + MAX_DOCUMENT + " bytes");
    }
    try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE hook_job SET state = 'done', result = ?, document = ?, finished_at = ?, lease_owner = NULL,"
            + " lease_until = NULL WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?")) {
      ps.setString(1, result);
      ps.setBytes(2, document);
      ps.setLong(3, now);
      ps.setLong(4, j.id());
      ps.setString(5, j.owner());
      ps.setInt(6, j.attempt());
      return ps.executeUpdate() == 1;
    }
  }

  /** Puts a job that could not be checked back in the queue, due at {@code nextAttemptAt}. */
  public boolean retry(Job j, long nextAttemptAt, String error) throws SQLException {
    return update("UPDATE hook_job SET state = 'queued', next_attempt_at = ?, last_error = ?, lease_owner = NULL,"
        + " lease_until = NULL WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?",
        nextAttemptAt, error, j.id(), j.owner(), j.attempt()) == 1;
  }

  /** The latest result for an image (any registry or policy version), or empty when none has finished. */
  public Optional<Stored> result(String repository, Digest digest) throws SQLException {
    List<Stored> l = query("WHERE state = 'done' AND repository = ? AND digest = ? ORDER BY finished_at DESC, id DESC LIMIT 1",
        repository, digest.toString());
    return l.stream().findFirst();
  }

  /** Finished results, newest first, optionally only one result kind and finished at or after {@code since}. */
  public List<Stored> results(Optional<String> result, long since, int limit) throws SQLException {
    if (result.isPresent()) {
      return query("WHERE state = 'done' AND result = ? AND finished_at >= ? ORDER BY finished_at DESC, id DESC LIMIT ?",
          result.get(), since, limit);
    }
    return query("WHERE state = 'done' AND finished_at >= ? ORDER BY finished_at DESC, id DESC LIMIT ?", since, limit);
  }

  /** Jobs per state (the queue depth and what is running). */
  public Map<State, Long> depth() throws SQLException {
    Map<State, Long> m = new EnumMap<>(State.class);
    for (State s : State.values()) {
      m.put(s, 0L);
    }
    try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(
        "SELECT state, COUNT(*) FROM hook_job GROUP BY state"); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        m.put(State.valueOf(rs.getString(1).toUpperCase(java.util.Locale.ROOT)), rs.getLong(2));
      }
    }
    return m;
  }

  /** Is the database reachable (for {@code /readyz})? */
  public boolean ping() {
    try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("SELECT 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  private void requeueAllRunning() {
    try {
      update("UPDATE hook_job SET state = 'queued', lease_owner = NULL, lease_until = NULL WHERE state = 'running'");
    } catch (SQLException e) {
      throw new CheckException(HookCode.HOOK_DATABASE_UNAVAILABLE, "sqlite", "cannot recover running jobs: " + e.getMessage(), e);
    }
  }

  private int update(String sql, Object... args) throws SQLException {
    try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  private List<Stored> query(String where, Object... args) throws SQLException {
    try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(
        "SELECT id, registry, repository, digest, policy_version, result, attempts, events, created_at, finished_at,"
            + " document FROM hook_job " + where)) {
      bind(ps, args);
      List<Stored> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Stored(rs.getLong(1), rs.getString(2), rs.getString(3), Digest.parse(rs.getString(4)),
              rs.getString(5), rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getLong(9), rs.getLong(10), rs.getBytes(11)));
        }
      }
      return out;
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setString(i + 1, (String) a);
      }
    }
  }

  @Override
  public void close() {
    pool.close();
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (java.io.IOException e) {
      // released by the OS when the process ends anyway
    }
  }
}
