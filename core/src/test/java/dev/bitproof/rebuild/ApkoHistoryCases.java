package dev.bitproof.rebuild;

import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The cases of {@code ../shared/data/apk/apko-history/cases.tsv} (see that folder's README). */
public final class ApkoHistoryCases {
  private ApkoHistoryCases() {}

  public record Case(String dir, String commit, String date, String describe, String test, String expectedIndex,
      String config, Map<String, String> annotations, String lockfile, String klauspost) {
    @Override
    public String toString() {
      return describe + " " + test;
    }
  }

  static Path history() {
    return SharedData.require("apk/apko-history");
  }

  /**
   * The cases of {@code cases.tsv}; without ../shared one placeholder case, so each test runs once and skips with
   * the reason (through {@link #history}) instead of its class vanishing from the counts.
   */
  public static List<Case> cases() throws IOException {
    if (!SharedData.present("apk/apko-history/cases.tsv")) {
      return List.of(new Case("(shared data absent)", "", "", "apko-history", "(shared data absent)", "", "", Map.of(),
          "-", ""));
    }
    Path h = SharedData.require("apk/apko-history/cases.tsv").getParent();
    List<Case> out = new ArrayList<>();
    for (String line : Files.readAllLines(h.resolve("cases.tsv"))) {
      if (line.startsWith("dir\t") || line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      Map<String, String> ann = new LinkedHashMap<>();
      if (!f[7].equals("-")) {
        for (String kv : f[7].split(",")) {
          ann.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
      }
      out.add(new Case(f[0], f[1], f[2], f[3], f[4], f[5], f[6], ann, f[8], f[9]));
    }
    return out;
  }

  /** False for v1.2.25's TestBuildWithBase: its inputs are v1.1.11's, but its top_image golden is not stored. */
  public static boolean hasOwnGolden(Case c) {
    return caseDir(c).equals(history().resolve(c.dir()).normalize());
  }

  public static Path caseDir(Case c) {
    Path d = history().resolve(c.dir()).normalize();
    if (c.test().equals("TestBuildWithBase") && !Files.exists(d.resolve(c.config()))) {
      // v1.2.25's shared folder holds no base-image inputs; they are unchanged since v1.1.11
      d = history().resolve("2026-02-24-04910df9");
    }
    return d;
  }

  public static BuildResult rebuild(Case c) throws IOException {
    Path dir = caseDir(c);
    BuildRequest req = BuildRequest.of(dir.resolve(c.config()), dir).withArchs(List.of("x86_64", "aarch64"))
        .withAnnotations(c.annotations()).withRules(rules(c));
    if (!c.lockfile().equals("-")) {
      req = req.withLockFile(dir.resolve(c.lockfile()));
    }
    return Rebuild.run(req);
  }

  /** The rules of the case's apko commit (a release, or a commit between releases). */
  public static ApkoRules rules(Case c) {
    return ApkoRules.at(ApkoPoint.parse(c.describe()));
  }

  public static Path golden(Case c) {
    return caseDir(c).resolve(c.test().equals("TestBuild") ? "testdata/golden" : "testdata/top_image");
  }

}
