package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.rebuild.ApkoHistoryCases;
import dev.bitproof.rebuild.ApkoHistoryCases.Case;
import dev.bitproof.rebuild.ApkoPoint;
import dev.bitproof.rebuild.ApkoRules;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code verify} with no {@code --apko-version} on each golden layout of apko's history names the apko versions
 * whose rules reproduce it: a range holding the case's own release. A case made at a commit between releases
 * whose behaviour no release shares is reported as not reproduced, and reproduces with that commit named.
 */
class ApkoHistoryVerifyTest {
  static List<Case> cases() throws java.io.IOException {
    return ApkoHistoryCases.cases();
  }

  static Report verify(Case c, Path tmp, Optional<ApkoRules> rules) throws Exception {
    Path dir = ApkoHistoryCases.caseDir(c);
    Path golden = ApkoHistoryCases.golden(c);
    Verifier.Request req = new Verifier.Request(dir.resolve(c.config()), c.lockfile().equals("-") ? Optional.empty()
        : Optional.of(dir.resolve(c.lockfile())), Optional.empty(), OptionalLong.empty(), "oci:" + golden, tmp,
        CompareOptions.strict(), Verdict.CONTENT_IDENTICAL, TransportOptions.defaults(), rules);
    try (ImageSource s = Transports.source(ImageReference.parse("oci:" + golden), TransportOptions.defaults())) {
      return Verifier.run(req, new ApkoRebuilder(dir), s);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void verifyNamesTheApkoVersionsThatReproduceEachGolden(Case c, @TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(ApkoHistoryCases.hasOwnGolden(c), () -> "skipped: " + c + " has no golden layout of its own");
    Report r = verify(c, tmp, Optional.empty());
    Report.Check versions = r.checks().get(r.checks().size() - 1);
    assertEquals("apko-version", versions.name());
    ApkoRules own = ApkoRules.at(ApkoPoint.parse(c.describe()));
    if (versions.findings().get(0).code().equals(VerifyCode.APKO_VERSION_NOT_REPRODUCED)) {
      // only a build from a commit between releases may behave like no release
      assertTrue(ApkoRules.all().stream().noneMatch(x -> x.changes().equals(own.changes())), versions.summary());
      Report named = verify(c, tmp.resolve("named"), Optional.of(own));
      assertEquals(Verdict.BIT_IDENTICAL, named.verdict().orElseThrow(), c + " with --apko-version " + c.describe());
      return;
    }
    assertEquals(Verdict.BIT_IDENTICAL, r.verdict().orElseThrow(), () -> ReportText.render(r, false));
    String ranges = String.valueOf(versions.findings().get(0).evidence().get("versions"));
    ApkoPoint release = ApkoPoint.release(ApkoPoint.parse(c.describe()).firstRelease().orElseThrow());
    assertTrue(java.util.Arrays.stream(ranges.split(", ")).anyMatch(range -> within(release, range)),
        c + ": " + versions.summary() + " should include " + release);
    System.out.println(c + ": " + versions.summary());
  }

  static boolean within(ApkoPoint p, String range) {
    String[] ends = range.split("–");
    ApkoPoint lo = ApkoPoint.parse(ends[0]);
    ApkoPoint hi = ApkoPoint.parse(ends[ends.length - 1]);
    return p.compareTo(lo) >= 0 && p.compareTo(hi) <= 0;
  }
}
