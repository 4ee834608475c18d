package dev.bitproof.apk;

import dev.bitproof.report.CheckException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Resolves apko's {@code contents.packages} against repository indexes the way apko's {@code PkgResolver} does
 * (pkg/apk/apk/repo.go): names and provides (incl. {@code so:}, {@code cmd:}, {@code pc:} virtuals) map to
 * candidates; world entries and dependencies are constrained ({@code = ~ > < >= <=}, {@code !conflict}, {@code @tag}
 * pins); the dependency with the fewest candidates goes first; candidates are ranked by already-chosen,
 * same-origin, pin, version for the requested name, version, provider priority, version again (newest wins, not the
 * earliest repository, as apko deliberately differs from apk-tools), then name; selecting a package disqualifies
 * other providers of its versioned provides. The result is in apko's install order: dependencies before dependents.
 *
 * <p>{@code replaces} is an install-time permission to overwrite files, not a resolution input (in apk-tools and
 * apko alike); it is carried on each {@link IndexEntry} for the installer.
 *
 * <p>Versions are ordered as apk-tools orders them ({@link ApkVersion}); apko's own regex-based order differs only
 * on dotted parts with leading zeros and on versions with several suffixes, which apko rejects.
 *
 * <p>Not thread-safe: use one resolver per thread.
 */
public final class ApkResolver {
  /**
   * A repository's index.
   *
   * @param tag the {@code @tag} of a tagged repository, "" for a plain one
   * @param uri where the index came from (for reports)
   * @param packages its stanzas
   */
  public record Repository(String tag, String uri, List<IndexEntry> packages) {
    public Repository {
      packages = List.copyOf(packages);
    }
  }

  /** One index stanza in one repository (identity matters: the same package can sit in two repositories). */
  public static final class Candidate {
    private final IndexEntry entry;
    private final Repository repo;
    private final List<ApkConstraint> provides;

    Candidate(IndexEntry entry, Repository repo) {
      this.entry = entry;
      this.repo = repo;
      this.provides = entry.provides().stream().map(ApkConstraint::parse).toList();
    }

    public IndexEntry entry() {
      return entry;
    }

    public Repository repository() {
      return repo;
    }

    public String name() {
      return entry.name();
    }

    public String version() {
      return entry.version();
    }

    String origin() {
      return entry.origin();
    }

    String fileName() {
      return entry.fileName();
    }

    @Override
    public String toString() {
      return entry.id() + (repo.tag().isEmpty() ? "" : "@" + repo.tag());
    }
  }

  /** The packages to install, dependencies first, and the {@code !name} conflicts declared along the way. */
  public record Resolution(List<Candidate> packages, List<String> conflicts) {
    public Resolution {
      packages = List.copyOf(packages);
      conflicts = List.copyOf(conflicts);
    }

    /** {@code name=version}, sorted: what apko writes into a locked config's {@code contents.packages}. */
    public List<String> pinned() {
      return packages.stream().map(c -> c.name() + "=" + c.version()).sorted().toList();
    }

    /** Names in install order. */
    public List<String> names() {
      return packages.stream().map(Candidate::name).toList();
    }
  }

  private final Map<String, List<Candidate>> nameMap = new HashMap<>();
  private final Map<String, List<Candidate>> installIfMap = new HashMap<>();
  private final Map<String, Candidate> selected = new HashMap<>();
  private final List<Candidate> all = new ArrayList<>();

  public ApkResolver(List<Repository> repositories) {
    for (Repository r : repositories) {
      for (IndexEntry e : r.packages()) {
        Candidate c = new Candidate(e, r);
        all.add(c);
        nameMap.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(c);
        for (String dep : e.installIf()) {
          installIfMap.computeIfAbsent(dep, k -> new ArrayList<>()).add(c);
        }
      }
    }
    for (Candidate c : all) {
      for (ApkConstraint p : c.provides) {
        nameMap.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(c);
      }
    }
  }

  /**
   * Resolves a world as apko does: entries de-duplicated and sorted first (apko writes and re-reads
   * {@code /etc/apk/world}).
   */
  public Resolution resolveWorld(java.util.Collection<String> world) {
    return resolve(List.copyOf(new TreeSet<>(world)), new IdentityHashMap<>());
  }

  /**
   * Resolves every arch; a package missing (by name and version) from another arch's indexes is disqualified
   * everywhere, so all arches lock to the same versions.
   */
  public static Map<String, Resolution> resolveAll(Map<String, List<Repository>> byArch, java.util.Collection<String> world) {
    Map<String, Map<String, Set<String>>> allowed = new TreeMap<>();
    byArch.forEach((arch, repos) -> {
      Map<String, Set<String>> m = new HashMap<>();
      repos.forEach(r -> r.packages().forEach(e -> m.computeIfAbsent(e.name(), k -> new HashSet<>()).add(e.version())));
      allowed.put(arch, m);
    });
    Map<String, Resolution> out = new TreeMap<>();
    for (Map.Entry<String, List<Repository>> a : new TreeMap<>(byArch).entrySet()) {
      ApkResolver r = new ApkResolver(a.getValue());
      Map<Candidate, String> dq = new IdentityHashMap<>();
      for (Candidate c : r.all) {
        for (Map.Entry<String, Map<String, Set<String>>> other : allowed.entrySet()) {
          if (other.getKey().equals(a.getKey())) {
            continue;
          }
          if (!other.getValue().getOrDefault(c.name(), Set.of()).contains(c.version())) {
            dq.put(c, "package " + c.fileName() + " not available for arch " + other.getKey());
            break;
          }
        }
      }
      try {
        out.put(a.getKey(), r.resolve(List.copyOf(new TreeSet<>(world)), dq));
      } catch (ApkResolveException e) {
        throw new ApkResolveException(a.getKey() + ": " + e.getMessage(), e.chain(), e.reason());
      }
    }
    return out;
  }

  /** Failure with the chain of constraints and packages that led to it. */
  public static final class ApkResolveException extends CheckException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> chain;
    private final String reason;

    ApkResolveException(String message, List<String> chain, String reason) {
      super(ApkCode.APK_UNSATISFIABLE, String.join(" -> ", chain), message);
      this.chain = List.copyOf(chain);
      this.reason = reason;
    }

    /** From the world entry down: {@code "replayout"}, {@code "replayout-1.0.0-r0.apk"}, {@code "foo>2"} ... */
    public List<String> chain() {
      return chain;
    }

    public String reason() {
      return reason;
    }
  }

  /** Internal failure that collects the chain while it unwinds. */
  private static final class Unsat extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final Deque<String> chain = new ArrayDeque<>();
    final String reason;

    Unsat(String reason) {
      super(reason, null, false, false);
      this.reason = reason;
    }

    Unsat at(String step) {
      chain.addFirst(step);
      return this;
    }
  }

  Resolution resolve(List<String> world, Map<Candidate, String> dq) {
    selected.clear(); // each resolution starts from nothing chosen, like apko's per-resolution Clone
    try {
      return doResolve(world, dq);
    } catch (Unsat u) {
      List<String> chain = new ArrayList<>(u.chain);
      throw new ApkResolveException("cannot satisfy " + String.join(" -> ", chain) + ": " + u.reason, chain, u.reason);
    }
  }

  private Resolution doResolve(List<String> world, Map<Candidate, String> dq) {
    List<String> constraints = new ArrayList<>(world);
    constrain(constraints, dq);
    constraints.removeIf(s -> s.startsWith("!"));
    List<String> packages = constraints.stream().toList();
    Map<String, Candidate> dependencies = new HashMap<>();
    while (!constraints.isEmpty()) {
      String next = nextPackage(constraints, dq);
      Candidate pkg;
      try {
        pkg = resolveBest(next, dq);
      } catch (Unsat u) {
        throw u.at(next);
      }
      dependencies.put(pkg.name(), pkg);
      constraints.removeIf(s -> s.equals(next));
      disqualifyConflicts(pkg, dq);
    }
    List<Candidate> toInstall = new ArrayList<>();
    Set<String> tracked = new HashSet<>();
    List<String> conflicts = new ArrayList<>();
    for (String name : packages) {
      List<Candidate> deps = new ArrayList<>();
      Candidate pkg;
      try {
        pkg = withDependencies(name, dependencies, dq, deps, conflicts);
      } catch (Unsat u) {
        throw u.at(name);
      }
      for (Candidate d : deps) {
        if (tracked.add(d.name())) {
          toInstall.add(d);
        }
        dependencies.putIfAbsent(d.name(), d);
      }
      if (tracked.add(pkg.name())) {
        toInstall.add(pkg);
      }
      dependencies.putIfAbsent(pkg.name(), pkg);
    }
    return new Resolution(toInstall, List.copyOf(new LinkedHashSet<>(conflicts)));
  }

  private String nextPackage(List<String> constraints, Map<Candidate, String> dq) {
    String next = null;
    int least = 0;
    for (String c : constraints) {
      List<Candidate> pkgs;
      try {
        pkgs = matches(ApkConstraint.parse(c), dq);
      } catch (Unsat u) {
        throw u.at(c);
      }
      if (next == null || pkgs.size() < least) {
        next = c;
        least = pkgs.size();
      }
    }
    return next;
  }

  private List<Candidate> candidates(String name) {
    return nameMap.getOrDefault(name, List.of());
  }

  /** The candidates a world entry admits (disqualified, pinned-away and version-failing ones dropped). */
  private List<Candidate> matches(ApkConstraint c, Map<Candidate, String> dq) {
    List<Candidate> cands = candidates(c.name());
    if (cands.isEmpty()) {
      throw new Unsat("nothing provides \"" + c.name() + "\"");
    }
    List<Candidate> pkgs = filter(cands, dq, c, "", c.pin(), null);
    if (pkgs.isEmpty()) {
      throw new Unsat(disqualifiedReason(cands, dq));
    }
    return pkgs;
  }

  private Candidate resolveBest(String text, Map<Candidate, String> dq) {
    ApkConstraint c = ApkConstraint.parse(text);
    return best(matches(c, dq), c.name(), Map.of(), Map.of(), c.pin());
  }

  private static String disqualifiedReason(List<Candidate> cands, Map<Candidate, String> dq) {
    List<String> reasons = new ArrayList<>();
    for (Candidate c : cands) {
      String r = dq.get(c);
      if (r != null) {
        reasons.add(c.fileName() + " disqualified because " + r);
      }
    }
    return reasons.isEmpty() ? "no candidate satisfies the constraint (" + cands.size() + " considered, none matches the version or pin)"
        : String.join("; ", reasons);
  }

  private Candidate withDependencies(String name, Map<String, Candidate> existing, Map<Candidate, String> dq,
      List<Candidate> outDeps, List<String> conflicts) {
    Map<String, Candidate> localExisting = new HashMap<>(existing);
    Map<String, String> origins = new HashMap<>();
    existing.values().forEach(v -> {
      if (!v.origin().isEmpty()) {
        origins.put(v.origin(), v.version());
      }
    });
    Candidate pkg = resolveBest(name, dq);
    String pin = ApkConstraint.parse(name).pin();
    List<Candidate> deps;
    try {
      deps = dependencies(pkg, pin, new HashSet<>(), localExisting, origins, dq, conflicts);
    } catch (Unsat u) {
      throw u.at(pkg.fileName());
    }
    LinkedHashMap<String, Candidate> added = new LinkedHashMap<>();
    List<Candidate> result = new ArrayList<>();
    for (Candidate d : deps) {
      if (added.putIfAbsent(d.name(), d) == null) {
        result.add(d);
      }
    }
    // install_if: a package joins once every one of its conditions is among the dependencies
    for (Map.Entry<String, Candidate> a : new ArrayList<>(added.entrySet())) {
      List<Candidate> triggered = installIfMap.get(a.getKey());
      if (triggered == null) {
        triggered = installIfMap.get(a.getKey() + "=" + a.getValue().version());
      }
      if (triggered == null) {
        continue;
      }
      for (Candidate t : triggered) {
        int matched = 0;
        for (String sub : t.entry().installIf()) {
          ApkConstraint sc = ApkConstraint.parse(sub);
          Candidate have = added.get(sub);
          if (have != null || (added.containsKey(sc.name()) && added.get(sc.name()).version().equals(sc.version()))) {
            matched++;
          }
        }
        if (matched == t.entry().installIf().size() && added.putIfAbsent(t.name(), t) == null) {
          result.add(t);
        }
      }
    }
    outDeps.addAll(result);
    return pkg;
  }

  private List<Candidate> dependencies(Candidate pkg, String allowPin, Set<String> parents, Map<String, Candidate> existing,
      Map<String, String> origins, Map<Candidate, String> dq, List<String> conflicts) {
    if (parents.contains(pkg.name())) {
      return List.of();
    }
    Set<String> myProvides = new HashSet<>();
    for (int i = 0; i < pkg.provides.size(); i++) {
      myProvides.add(pkg.entry().provides().get(i));
      myProvides.add(pkg.provides.get(i).name());
    }
    List<String> constraints = new ArrayList<>(pkg.entry().depends());
    constrain(constraints, dq);
    List<Candidate> deps = new ArrayList<>();
    while (!constraints.isEmpty()) {
      Map<String, List<Candidate>> options = new TreeMap<>();
      for (String dep : constraints) {
        if (dep.startsWith("!")) {
          conflicts.add(dep.substring(1));
          continue;
        }
        ApkConstraint c = ApkConstraint.parse(dep);
        if (myProvides.contains(c.name()) || myProvides.contains(dep)) {
          continue;
        }
        if (pkg.name().equals(c.name()) && ApkVersion.isValid(pkg.version())
            && (c.op() == ApkConstraint.Op.ANY || ApkVersion.isValid(c.version())) && c.versionSatisfied(pkg.version())) {
          continue;
        }
        Candidate picked = selected.get(c.name());
        if (picked != null) {
          if (c.version().isEmpty()) {
            continue;
          }
          boolean byProvide = false;
          for (ApkConstraint p : picked.provides) {
            if (p.name().equals(c.name()) && !p.version().isEmpty() && c.op().satisfies(p.version(), c.version())) {
              byProvide = true;
              break;
            }
          }
          if (byProvide || c.versionSatisfied(picked.version())) {
            continue;
          }
          throw new Unsat("already selected \"" + picked.name() + "=" + picked.version() + "\", which conflicts with \"" + dep + "\"").at(dep);
        }
        List<Candidate> cands = candidates(c.name());
        if (cands.isEmpty()) {
          throw new Unsat("nothing provides \"" + c.name() + "\"").at(dep);
        }
        List<Candidate> pkgs = filter(cands, dq, c, allowPin, "", existing.get(c.name()));
        if (pkgs.isEmpty()) {
          throw new Unsat(disqualifiedReason(cands, dq)).at(dep);
        }
        options.put(dep, pkgs);
      }
      constraints = new ArrayList<>(options.keySet());
      if (constraints.isEmpty()) {
        continue;
      }
      String lowest = null;
      for (Map.Entry<String, List<Candidate>> o : options.entrySet()) {
        // TreeMap order: on a tie in size the lexically smaller constraint wins, as in apko
        if (lowest == null || o.getValue().size() < options.get(lowest).size()) {
          lowest = o.getKey();
        }
      }
      String chosen = lowest;
      List<Candidate> pkgs = options.get(chosen);
      String name = ApkConstraint.parse(chosen).name();
      constraints.removeIf(s -> s.equals(chosen));
      Candidate best = best(pkgs, name, existing, origins, "");
      disqualifyConflicts(best, dq);
      Set<String> childParents = new HashSet<>(parents);
      childParents.add(pkg.name());
      pick(pkg);
      List<Candidate> sub;
      try {
        sub = dependencies(best, allowPin, childParents, existing, origins, dq, conflicts);
      } catch (Unsat u) {
        throw u.at(best.fileName()).at(chosen);
      }
      deps.addAll(sub);
      deps.add(best);
      for (Candidate d : sub) {
        existing.put(d.name(), d);
        if (!d.origin().isEmpty()) {
          origins.put(d.origin(), d.version());
        }
      }
    }
    return deps;
  }

  private void pick(Candidate pkg) {
    Candidate prior = selected.get(pkg.name());
    if (prior != null) {
      if (prior == pkg) {
        return;
      }
      throw new Unsat("selecting " + pkg.fileName() + " conflicts with " + prior.fileName() + " on \"" + pkg.name() + "\"");
    }
    selected.put(pkg.name(), pkg);
    for (ApkConstraint p : pkg.provides) {
      Candidate other = selected.get(p.name());
      if (other != null) {
        throw new Unsat("selecting " + pkg.fileName() + " conflicts with " + other.fileName() + " on \"" + p.name() + "\"");
      }
      if (!p.version().isEmpty()) {
        selected.put(p.name(), pkg);
      }
    }
  }

  /** Disqualifies, for every versioned constraint, the providers whose version does not satisfy it. */
  private void constrain(List<String> constraints, Map<Candidate, String> dq) {
    for (String text : constraints) {
      if (text.startsWith("!")) {
        ApkConstraint c = ApkConstraint.parse(text.substring(1));
        for (Candidate x : filter(candidates(c.name()), dq, c, "", c.pin(), null)) {
          dq.putIfAbsent(x, "excluded by " + text);
        }
        continue;
      }
      ApkConstraint c = ApkConstraint.parse(text);
      if (c.op() == ApkConstraint.Op.ANY) {
        continue;
      }
      if (!ApkVersion.isValid(c.version())) {
        throw new Unsat("constraint version \"" + c.version() + "\" is not a valid apk version").at(text);
      }
      for (Candidate p : candidates(c.name())) {
        if (p.name().equals(c.name())) {
          if (!ApkVersion.isValid(p.version())) {
            dq.put(p, "version \"" + p.version() + "\" is not a valid apk version");
          } else if (!c.versionSatisfied(p.version())) {
            dq.put(p, "\"" + p.version() + "\" does not satisfy \"" + text + "\"");
          }
        } else {
          for (ApkConstraint prov : p.provides) {
            if (!prov.name().equals(c.name()) || prov.version().isEmpty()) {
              continue;
            }
            if (!ApkVersion.isValid(prov.version())) {
              dq.put(p, "provided version \"" + prov.version() + "\" is not a valid apk version");
            } else if (!c.versionSatisfied(prov.version())) {
              dq.put(p, p.fileName() + " provides \"" + prov.text() + "\" which does not satisfy \"" + text + "\"");
            }
          }
        }
      }
    }
  }

  /** Once {@code pkg} is chosen, no other package may provide the same versioned name. */
  private void disqualifyConflicts(Candidate pkg, Map<Candidate, String> dq) {
    for (ApkConstraint prov : pkg.provides) {
      for (Candidate other : candidates(prov.name())) {
        if (other == pkg || dq.containsKey(other)) {
          continue;
        }
        if (!conflicting(prov, other)) {
          continue;
        }
        dq.put(other, pkg.fileName() + " already provides " + prov.name());
      }
    }
  }

  private static boolean conflicting(ApkConstraint prov, Candidate other) {
    if (!prov.version().isEmpty()) {
      return true;
    }
    if (other.name().equals(prov.name())) {
      return !other.version().equals(prov.version());
    }
    for (ApkConstraint op : other.provides) {
      if (op.name().equals(prov.name())) {
        return !op.version().equals(prov.version());
      }
    }
    return true;
  }

  /** apko's filterPackages: disqualified, unpinned-away and version-failing candidates are dropped. */
  private static List<Candidate> filter(List<Candidate> pkgs, Map<Candidate, String> dq, ApkConstraint c, String allowPin,
      String preferPin, Candidate installed) {
    List<Candidate> passed = new ArrayList<>();
    for (Candidate p : pkgs) {
      if (dq.containsKey(p)) {
        continue;
      }
      String tag = p.repository().tag();
      if (!tag.isEmpty() && !tag.equals(allowPin) && !tag.equals(preferPin) && (installed == null || installed != p)) {
        continue;
      }
      if (c.op() == ApkConstraint.Op.ANY) {
        passed.add(p);
        continue;
      }
      if (!ApkVersion.isValid(c.version())) {
        return List.of();
      }
      if (!ApkVersion.isValid(p.version())) {
        continue;
      }
      if (c.versionSatisfied(p.version())) {
        passed.add(p);
        continue;
      }
      for (ApkConstraint prov : p.provides) {
        if (prov.version().isEmpty() || !ApkVersion.isValid(prov.version())) {
          continue;
        }
        if (c.versionSatisfied(prov.version())) {
          passed.add(p);
          break;
        }
      }
    }
    return passed;
  }

  private Candidate best(List<Candidate> pkgs, String name, Map<String, Candidate> existing, Map<String, String> origins, String pin) {
    Comparator<Candidate> cmp = comparator(name, existing, origins, pin);
    Candidate best = null;
    for (Candidate p : pkgs) {
      if (best == null || cmp.compare(p, best) < 0) {
        best = p;
      }
    }
    return best;
  }

  /** apko's comparePackages: negative when {@code a} is preferred. */
  private static Comparator<Candidate> comparator(String name, Map<String, Candidate> existing, Map<String, String> origins, String pin) {
    return (a, b) -> {
      String iv = versionFor(a, name);
      String jv = versionFor(b, name);
      Candidate im = existing.get(a.name());
      Candidate jm = existing.get(b.name());
      boolean iIn = im != null && im.version().equals(a.version());
      boolean jIn = jm != null && jm.version().equals(b.version());
      if (iIn && !jIn) {
        return -1;
      }
      if (jIn && !iIn) {
        return 1;
      }
      boolean iO = !a.origin().isEmpty() && a.version().equals(origins.get(a.origin()));
      boolean jO = !b.origin().isEmpty() && b.version().equals(origins.get(b.origin()));
      if (iO && !jO) {
        return -1;
      }
      if (jO && !iO) {
        return 1;
      }
      boolean iP = a.repository().tag().equals(pin);
      boolean jP = b.repository().tag().equals(pin);
      if (iP && !jP) {
        return -1;
      }
      if (jP && !iP) {
        return 1;
      }
      if (!iv.isEmpty() && !jv.isEmpty() && !iv.equals(jv)) {
        int v = newer(iv, jv);
        if (v != 0) {
          return v;
        }
      }
      if (a.name().equals(b.name()) && !a.version().equals(b.version())) {
        int v = newer(a.version(), b.version());
        if (v != 0) {
          return v;
        }
      }
      long ka = a.entry().providerPriority();
      long kb = b.entry().providerPriority();
      if (ka != kb) {
        return ka > kb ? -1 : 1;
      }
      if (!a.version().equals(b.version())) {
        int v = newer(a.version(), b.version());
        if (v != 0) {
          return v;
        }
      }
      return a.name().compareTo(b.name());
    };
  }

  /** -1 when {@code a} is the newer (preferred) version; an invalid version loses. */
  private static int newer(String a, String b) {
    if (!ApkVersion.isValid(a)) {
      return 1;
    }
    if (!ApkVersion.isValid(b)) {
      return -1;
    }
    return -Integer.signum(ApkVersion.compare(a, b));
  }

  private static String versionFor(Candidate c, String name) {
    if (name.isEmpty() || name.equals(c.name())) {
      return c.version();
    }
    for (ApkConstraint p : c.provides) {
      if (p.name().equals(name)) {
        return p.version();
      }
    }
    return "";
  }
}
