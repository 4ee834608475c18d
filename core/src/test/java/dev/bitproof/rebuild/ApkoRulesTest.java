package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.compress.FlateVersion;
import dev.bitproof.report.CheckException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule sets: ranges of releases, selection by name, points between releases. */
class ApkoRulesTest {
  @Test
  void rangesCoverEveryReleaseOnceNewestFirst() {
    List<ApkoRules> all = ApkoRules.all();
    assertEquals(ApkoVersion.NEWEST.toString(), all.get(0).last().toString());
    assertEquals(ApkoVersion.OLDEST.toString(), all.get(all.size() - 1).first().toString());
    for (ApkoVersion v : ApkoVersion.RELEASES) {
      assertEquals(1, all.stream().filter(r -> r.contains(ApkoPoint.release(v))).count(), v.toString());
    }
    for (int i = 1; i < all.size(); i++) {
      assertFalse(all.get(i).changes().equals(all.get(i - 1).changes()), "neighbours differ: " + all.get(i));
    }
  }

  @Test
  void eachChangeStartsAtItsRelease() {
    assertTrue(ApkoRules.of(ApkoVersion.parse("v0.27.2")).has(ApkoChange.USRMERGE_DB));
    assertFalse(ApkoRules.of(ApkoVersion.parse("v0.27.1")).has(ApkoChange.USRMERGE_DB));
    assertTrue(ApkoRules.of(ApkoVersion.parse("v0.27.9")).has(ApkoChange.LOCKED_WORLD_EMPTY));
    assertFalse(ApkoRules.of(ApkoVersion.parse("v0.28.0")).has(ApkoChange.LOCKED_WORLD_EMPTY));
    assertEquals(FlateVersion.V1_15_10_TO_1_18_1, ApkoRules.of(ApkoVersion.parse("v0.30.27")).flate());
    assertEquals(FlateVersion.V1_18_2_AND_LATER, ApkoRules.of(ApkoVersion.parse("v0.30.28")).flate());
    assertEquals("v0.27.3–v0.27.5", ApkoRules.of(ApkoVersion.parse("v0.27.4")).label(), "v0.27.3 fixed layering");
    assertEquals(ApkoVersion.parse("v0.30.5"), ApkoChange.DB_RECORD_1811.firstRelease());
    assertEquals(ApkoVersion.parse("v0.28.0"), ApkoChange.LOCKED_WORLD_EMPTY.fixedIn().orElseThrow());
  }

  /** bed5f073 (usrmerge) landed before e85ed818 (lock file honoured again); v0.27.2 has both. */
  @Test
  void aCommitBetweenReleasesGetsTheChangesMadeBeforeIt() {
    ApkoRules dev = ApkoRules.at(ApkoPoint.parse("v0.27.1-4-gbed5f073"));
    assertTrue(dev.has(ApkoChange.USRMERGE_DB));
    assertTrue(dev.has(ApkoChange.LOCK_FILE_IGNORED));
    assertEquals("v0.27.1-4-gbed5f073", dev.label());
    assertTrue(ApkoRules.all().stream().noneMatch(r -> r.changes().equals(dev.changes())), "no release behaves so");
    assertEquals(ApkoRules.of(ApkoVersion.parse("v0.27.2")), ApkoRules.at(ApkoPoint.parse("v0.27.2")));
  }

  @Test
  void selectByReleasePrefixOrNewest() {
    assertEquals(ApkoRules.newest(), ApkoRules.select("newest"));
    assertEquals(ApkoRules.of(ApkoVersion.parse("v0.18.1")), ApkoRules.select("0.18"), "v0.18.0 and v0.18.1 share rules");
    assertEquals(ApkoRules.of(ApkoVersion.parse("v0.27.6")), ApkoRules.select("v0.27.6"));
  }

  @Test
  void unknownAmbiguousAndMalformedVersionsAreUsageErrorsListingTheKnownOnes() {
    CheckException unknown = assertThrows(CheckException.class, () -> ApkoRules.select("v0.11.3"));
    assertEquals(RebuildCode.APKO_VERSION_UNKNOWN, unknown.code());
    assertTrue(unknown.getMessage().contains("v0.12.0–v0.14.0") && unknown.getMessage().contains("v1.2.30–v1.2.39"),
        unknown.getMessage());
    assertEquals(RebuildCode.APKO_VERSION_UNKNOWN, assertThrows(CheckException.class, () -> ApkoRules.select("v9.9.9")).code());
    CheckException amb = assertThrows(CheckException.class, () -> ApkoRules.select("v0.27"));
    assertEquals(RebuildCode.APKO_VERSION_AMBIGUOUS, amb.code());
    assertTrue(amb.getMessage().contains("v0.27.3–v0.27.5"), amb.getMessage());
    assertEquals(RebuildCode.APKO_VERSION_INVALID, assertThrows(CheckException.class, () -> ApkoRules.select("v1.x.2")).code());
  }
}
