package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bitproof.rebuild.ApkoHistoryCases.Case;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * apko's golden tests at 20 points of its history ({@code ../shared/data/apk/apko-history}): TestBuild (resolved,
 * two arches) and TestBuildWithBase (lock file, base image). Each case names the apko commit; its rules come from
 * {@link ApkoRules#at}. On a miss the failure names the first differing layer entry, gzip byte or JSON field.
 */
class ApkoHistoryTest {
  static List<Case> cases() throws IOException {
    return ApkoHistoryCases.cases();
  }

  /** Each case, rebuilt from its inputs alone with the rules of its apko version, gives apko's index digest. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rebuildWithTheCaseVersionsRulesGivesApkosIndex(Case c) throws IOException {
    BuildResult r = ApkoHistoryCases.rebuild(c);
    if (!r.index().digest().toString().equals(c.expectedIndex())) {
      Optional<String> d = LayoutDiff.first(ApkoHistoryCases.golden(c), r);
      fail(c + " with the rules of apko " + r.rules().label() + ": index " + r.index().digest() + ", expected "
          + c.expectedIndex() + "; first difference: " + d.orElse("none found in the golden layout"));
    }
    assertEquals(c.expectedIndex(), r.index().digest().toString());
  }
}
