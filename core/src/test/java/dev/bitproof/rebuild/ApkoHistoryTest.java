package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * apko's golden tests at 20 points of its history ({@code ../shared/data/apk/apko-history}): TestBuild (resolved,
 * two arches) and TestBuildWithBase (lock file, base image). Each case names the apko commit; its rules come from
 * {@link ApkoRules#at}. On a miss the failure names the first differing layer entry, gzip byte or JSON field.
 */
class ApkoHistoryTest {
  record Case(String dir, String commit, String date, String describe, String test, String expectedIndex,
      String config, Map<String, String> annotations, String lockfile, String klauspost) {
    /** The release whose rules apply: the tag itself, or the first release after a commit between tags. */
    ApkoVersion release() {
      String d = describe.startsWith("v") ? describe : "v" + describe;
      int dash = d.indexOf('-');
      ApkoVersion tag = ApkoVersion.parse(dash < 0 ? d : d.substring(0, dash));
      return dash < 0 ? tag : tag.next().orElseThrow();
    }

    @Override
    public String toString() {
      return describe + " " + test;
    }
  }

  static Path history() {
    return SharedData.require("apk/apko-history");
  }

  static List<Case> cases() throws IOException {
    Path h = SharedData.root().resolve("data/apk/apko-history");
    if (!Files.exists(h.resolve("cases.tsv"))) {
      return List.of();
    }
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

  static Path caseDir(Case c) {
    Path d = history().resolve(c.dir()).normalize();
    if (c.test().equals("TestBuildWithBase") && !Files.exists(d.resolve(c.config()))) {
      // v1.2.25's shared folder holds no base-image inputs; they are unchanged since v1.1.11
      d = history().resolve("2026-02-24-04910df9");
    }
    return d;
  }

  static BuildResult rebuild(Case c) throws IOException {
    Path dir = caseDir(c);
    BuildRequest req = BuildRequest.of(dir.resolve(c.config()), dir).withArchs(List.of("x86_64", "aarch64"))
        .withAnnotations(c.annotations()).withRules(ApkoRules.at(ApkoPoint.parse(c.describe())));
    if (!c.lockfile().equals("-")) {
      req = req.withLockFile(dir.resolve(c.lockfile()));
    }
    return Rebuild.run(req);
  }

  static Path golden(Case c) {
    return caseDir(c).resolve(c.test().equals("TestBuild") ? "testdata/golden" : "testdata/top_image");
  }

  /** Each case, rebuilt from its inputs alone with the rules of its apko version, gives apko's index digest. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rebuildWithTheCaseVersionsRulesGivesApkosIndex(Case c) throws IOException {
    BuildResult r = rebuild(c);
    if (!r.index().digest().toString().equals(c.expectedIndex())) {
      Optional<String> d = LayoutDiff.first(golden(c), r);
      fail(c + " with the rules of apko " + r.rules().label() + ": index " + r.index().digest() + ", expected "
          + c.expectedIndex() + "; first difference: " + d.orElse("none found in the golden layout"));
    }
    assertEquals(c.expectedIndex(), r.index().digest().toString());
  }
}
