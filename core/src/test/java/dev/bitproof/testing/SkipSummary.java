package dev.bitproof.testing;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints, at the end of each module's test run, every skipped test grouped by its reason (a missing peer, no
 * {@code ../shared}, …) and how many ran, so a skip is never silent. Registered for every module through
 * {@code META-INF/services} in core's test-jar, which attest and cli tests have on their classpath.
 *
 * <p>A class whose {@code @BeforeAll} is aborted counts each of its tests as skipped with that reason, so a test
 * that did not run is always counted somewhere.
 */
public final class SkipSummary implements TestExecutionListener {
  private final Map<String, List<String>> byReason = new TreeMap<>();
  private final AtomicInteger tests = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();
  private TestPlan plan;

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    plan = testPlan;
  }

  @Override
  public void executionSkipped(TestIdentifier id, String reason) {
    skip(id, reason);
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      String reason = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
      skip(id, reason);
    } else if (id.isTest()) {
      tests.incrementAndGet();
    }
  }

  private synchronized void skip(TestIdentifier id, String reason) {
    String r = clean(reason);
    if (id.isTest()) {
      tests.incrementAndGet();
      skipped.incrementAndGet();
      byReason.computeIfAbsent(r, k -> new ArrayList<>()).add(name(id));
      return;
    }
    // a container that did not run: each test under it is skipped for the same reason
    if (plan != null) {
      for (TestIdentifier t : plan.getDescendants(id)) {
        if (t.isTest()) {
          tests.incrementAndGet();
          skipped.incrementAndGet();
          byReason.computeIfAbsent(r, k -> new ArrayList<>()).add(name(t));
        }
      }
    }
  }

  /** {@code Class.method()} (the innermost class a test is in, then its display name). */
  private String name(TestIdentifier id) {
    Optional<TestIdentifier> p = Optional.of(id);
    while (p.isPresent() && plan != null) {
      if (p.get().getSource().orElse(null) instanceof ClassSource cs) {
        String c = cs.getClassName().substring(cs.getClassName().lastIndexOf('.') + 1);
        return p.get() == id ? c : c + "." + id.getDisplayName();
      }
      p = plan.getParent(p.get());
    }
    return id.getDisplayName();
  }

  private static String clean(String reason) {
    String r = reason == null || reason.isBlank() ? "(no reason given)" : reason.strip();
    r = r.replaceFirst("^Assumption failed: ", "");
    // one group for all of ../shared, whichever file a test wanted
    r = r.replaceFirst("shared data not present at \\S+", "shared data not present");
    // one line per reason: the path of a missing shared file is in the first line
    int nl = r.indexOf('\n');
    return nl < 0 ? r : r.substring(0, nl);
  }

  @Override
  public synchronized void testPlanExecutionFinished(TestPlan testPlan) {
    if (tests.get() == 0) {
      return;
    }
    PrintStream out = System.out;
    out.printf("%n[bitproof tests] %d tests, %d skipped (%.1f%%)%n", tests.get(), skipped.get(),
        100.0 * skipped.get() / tests.get());
    for (Map.Entry<String, List<String>> e : byReason.entrySet()) {
      List<String> names = e.getValue();
      out.printf("[bitproof tests]   %3d skipped: %s%n", names.size(), e.getKey());
      // which classes, most skips first: enough to see where a reason bites without a line per test
      Map<String, Integer> byClass = new TreeMap<>();
      names.forEach(n -> byClass.merge(n.contains(".") ? n.substring(0, n.indexOf('.')) : n, 1, Integer::sum));
      StringBuilder line = new StringBuilder();
      byClass.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(c -> {
        if (line.length() > 90) {
          out.printf("[bitproof tests]         %s%n", line);
          line.setLength(0);
        }
        line.append(line.length() == 0 ? "" : ", ").append(c.getKey()).append(' ').append(c.getValue());
      });
      if (line.length() > 0) {
        out.printf("[bitproof tests]         %s%n", line);
      }
    }
    out.flush();
  }
}
