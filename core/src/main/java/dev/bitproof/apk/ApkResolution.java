package dev.bitproof.apk;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bitproof.json.JsonBody;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code apk resolve}: fetch each repository's index per arch, require its signature (as apko does), then resolve the
 * constraints on every arch at once. An index whose signature fails stops before resolving: its findings are the
 * result.
 */
public final class ApkResolution {
  private ApkResolution() {}

  /** One resolved package of one arch. */
  public record Resolved(String name, String version, String checksum, String repository) {}

  /**
   * The body of {@code docs/schema/apk-resolve.json}: the failing index findings (then no {@code archs}), or per arch
   * the install order ({@code conflicts}: what the chosen packages declare, shown in the text only).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Result(Map<String, List<Resolved>> archs, List<Finding> findings,
      @com.fasterxml.jackson.annotation.JsonIgnore Map<String, List<String>> conflicts) implements JsonBody {
    public Outcome outcome() {
      return findings == null ? Outcome.PASS : Outcome.FAIL;
    }
  }

  public static Result resolve(List<String> repositories, List<String> archs, Path keyring, List<String> packages,
      ApkRepositories.Options options) throws IOException {
    ApkKeyring keys = ApkKeyring.load(keyring);
    Map<String, List<ApkResolver.Repository>> byArch = new TreeMap<>();
    List<Finding> failures = new ArrayList<>();
    try (ApkRepositories repos = new ApkRepositories(options)) {
      for (String arch : archs) {
        List<ApkResolver.Repository> list = new ArrayList<>();
        for (String line : repositories) {
          var ref = ApkRepositories.RepositoryRef.parse(line);
          ApkIndex idx = repos.fetchIndex(ref, arch);
          Finding f = ApkVerifier.verify(idx, keys, ref.location() + "/" + arch + "/APKINDEX.tar.gz");
          if (f.fails()) {
            failures.add(f);
          }
          list.add(new ApkResolver.Repository(ref.tag(), ref.location(), idx.packages()));
        }
        byArch.put(arch, list);
      }
    }
    if (!failures.isEmpty()) {
      return new Result(null, failures, Map.of());
    }
    Map<String, List<Resolved>> out = new LinkedHashMap<>();
    Map<String, List<String>> conflicts = new LinkedHashMap<>();
    ApkResolver.resolveAll(byArch, packages).forEach((arch, r) -> {
      out.put(arch, r.packages().stream().map(c -> new Resolved(c.name(), c.version(), c.entry().checksum(),
          c.repository().uri())).toList());
      conflicts.put(arch, r.conflicts());
    });
    return new Result(out, null, conflicts);
  }
}
