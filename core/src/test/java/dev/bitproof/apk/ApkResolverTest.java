package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.apk.ApkResolver.ApkResolveException;
import dev.bitproof.apk.ApkResolver.Repository;
import dev.bitproof.apk.ApkResolver.Resolution;
import dev.bitproof.report.Finding;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.SharedCsvSource;
import dev.bitproof.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApkResolverTest {
  /** Stanzas from "name version [key:value ...]" lines, e.g. "foo 1.0-r0 D:bar p:so:libfoo.so.1=1". */
  static Repository repo(String tag, String... pkgs) {
    StringBuilder sb = new StringBuilder();
    for (String p : pkgs) {
      String[] parts = p.split(" ");
      sb.append("C:Q1").append(Integer.toHexString(p.hashCode())).append("\nP:").append(parts[0]).append("\nV:").append(parts[1]).append('\n');
      Map<Character, List<String>> multi = new TreeMap<>();
      for (int i = 2; i < parts.length; i++) {
        multi.computeIfAbsent(parts[i].charAt(0), k -> new ArrayList<>()).add(parts[i].substring(2));
      }
      multi.forEach((k, v) -> sb.append(k).append(':').append(String.join(" ", v)).append('\n'));
      sb.append('\n');
    }
    return new Repository(tag, "test:" + tag, ApkIndex.parseText(sb.toString(), "test", ApkIndex.Limits.defaults()));
  }

  static List<String> resolve(List<Repository> repos, String... world) {
    return new ApkResolver(repos).resolveWorld(List.of(world)).packages().stream().map(c -> c.name() + "-" + c.version()).toList();
  }

  @Test
  void apkoGoldenTestdataResolvesAsTheLockFileSays() throws Exception {
    Path pk = SharedData.apkoTestdata().resolve("packages");
    Map<String, List<Repository>> byArch = new TreeMap<>();
    for (String arch : List.of("x86_64", "aarch64")) {
      byArch.put(arch, List.of(new Repository("", pk.resolve(arch).toString(), ApkIndex.read(pk.resolve(arch).resolve("APKINDEX.tar.gz")).packages())));
    }
    Map<String, Resolution> r = ApkResolver.resolveAll(byArch, List.of("replayout"));
    // apko.lock.json: per arch, dependencies first
    assertEquals(List.of("pretend-baselayout", "replayout"), r.get("x86_64").names());
    assertEquals(List.of("pretend-baselayout", "replayout"), r.get("aarch64").names());
    assertEquals(List.of("Q1m6wB0UFePGN8Drz82pC8y2uAiu8=", "Q11/HhSewwwOXgl0r0ffb0O0BRtYc="),
        r.get("x86_64").packages().stream().map(c -> c.entry().checksum()).toList());
    assertEquals(List.of("Q1JQ8nfsxa27d0f6oa056sdT5IcJY=", "Q1u62watWiRSQgVtAIuVuYoDOaVO4="),
        r.get("aarch64").packages().stream().map(c -> c.entry().checksum()).toList());
    assertEquals(List.of("pretend-baselayout=1.0.0-r0", "replayout=1.0.0-r0"), r.get("x86_64").pinned());
  }

  /**
   * A signed repository the test builds, shaped like a distribution's: a libc, libraries that provide {@code so:}
   * names (two versions of zlib), a shell that provides {@code cmd:sh}, two providers of an unversioned virtual, two
   * priority-ranked providers of {@code jre}, applications over all of them, and a seeded graph of 40 more libraries.
   */
  static final class FixtureRepo {
    static final ApkFixtures.TestKey KEY = ApkFixtures.key("resolver-fixture.rsa.pub");
    final byte[] indexBytes;
    final ApkIndex index;

    FixtureRepo() throws Exception {
      List<ApkFixtures.Apk> apks = new ArrayList<>(List.of(
          apk("musl", "1.2.5-r0").provides("so:libc.musl-x86_64.so.1=1"),
          apk("busybox", "1.36.1-r0").depend("so:libc.musl-x86_64.so.1").provides("cmd:sh=1.36.1-r0", "/bin/sh"),
          apk("zlib", "1.3.1-r0").depend("so:libc.musl-x86_64.so.1").provides("so:libz.so.1=1.3.1"),
          apk("zlib", "1.2.13-r0").depend("so:libc.musl-x86_64.so.1").provides("so:libz.so.1=1.2.13"),
          apk("libcrypto3", "3.3.0-r0").depend("so:libc.musl-x86_64.so.1", "so:libz.so.1").provides("so:libcrypto.so.3=3.3.0"),
          apk("custom-ca-certs-2", "1.0.0-r0").provides("custom-ca-certificates"),
          apk("custom-ca-certs-1", "1.0.0-r0").provides("custom-ca-certificates"),
          apk("openjdk17", "17.0.11-r0").depend("so:libz.so.1").provides("jre").set("provider_priority", "100"),
          apk("openjdk21", "21.0.3-r0").depend("so:libz.so.1").provides("jre").set("provider_priority", "200"),
          apk("curl", "8.8.0-r0").depend("so:libcrypto.so.3", "so:libz.so.1", "custom-ca-certificates", "cmd:sh"),
          apk("app", "1.0.0-r0").depend("jre", "curl", "!telnet")));
      java.util.Random rnd = new java.util.Random(13);
      for (int i = 0; i < 40; i++) {
        ApkFixtures.Apk a = apk("gen" + i, "1." + i + "-r0").provides("so:libgen" + i + ".so.1=1." + i);
        for (int d = 0; d < Math.min(i, 3); d++) {
          a.depend(rnd.nextBoolean() ? "so:libgen" + rnd.nextInt(i) + ".so.1" : "gen" + rnd.nextInt(i));
        }
        apks.add(a.depend(rnd.nextInt(4) == 0 ? "cmd:sh" : "so:libc.musl-x86_64.so.1"));
      }
      StringBuilder text = new StringBuilder();
      for (ApkFixtures.Apk a : apks) {
        byte[] b = a.build();
        text.append(ApkFixtures.stanza(b, ApkPackage.read(b, "fixture")));
      }
      indexBytes = ApkFixtures.index(text.toString(), KEY, "RSA256");
      index = ApkIndex.read(indexBytes, "fixture APKINDEX");
    }

    static ApkFixtures.Apk apk(String name, String version) {
      return new ApkFixtures.Apk(name, version, "x86_64").set("origin", name).signedBy(KEY);
    }

    ApkResolver resolver() {
      return new ApkResolver(List.of(new Repository("", "fixture", index.packages())));
    }
  }

  static FixtureRepo fixture;

  static synchronized FixtureRepo fixture() throws Exception {
    if (fixture == null) {
      fixture = new FixtureRepo();
    }
    return fixture;
  }

  @Test
  void virtualProvidedByTwoPackagesPicksByNameWhenNothingElseDecides() throws Exception {
    // custom-ca-certs-1 and -2 both provide the unversioned virtual custom-ca-certificates
    assertEquals(List.of("custom-ca-certs-1"), fixture().resolver().resolveWorld(List.of("custom-ca-certificates")).names());
  }

  @Test
  void aSignedFixtureRepositoryVerifiesAndResolvesByApkosRules() throws Exception {
    FixtureRepo f = fixture();
    ApkKeyring keys = ApkKeyring.of(Map.of(FixtureRepo.KEY.name(), FixtureRepo.KEY.publicPem().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    Finding sig = ApkVerifier.verify(f.index, keys, "fixture");
    assertEquals(ApkCode.APKINDEX_SIGNATURE_OK, sig.code(), sig.toString());
    assertEquals(FixtureRepo.KEY.name(), sig.evidence().get("key"));
    // the same index signed by another key under the trusted key's name, and by a key nobody trusts
    String text = f.index.packages().size() + " packages";
    byte[] body = java.util.Arrays.copyOfRange(f.indexBytes, (int) f.index.signature().orElseThrow().end(), f.indexBytes.length);
    ApkFixtures.TestKey impostor = new ApkFixtures.TestKey(FixtureRepo.KEY.name(), ApkFixtures.key("impostor.rsa.pub").pair());
    byte[] forged = ApkFixtures.concat(ApkFixtures.signatureStream(impostor, "RSA256", body), body);
    assertEquals(ApkCode.APKINDEX_SIGNATURE_INVALID, ApkVerifier.verify(ApkIndex.read(forged, "forged"), keys, "forged").code(), text);
    byte[] unknown = ApkFixtures.concat(ApkFixtures.signatureStream(ApkFixtures.key("impostor.rsa.pub"), "RSA256", body), body);
    assertEquals(ApkCode.APKINDEX_SIGNATURE_UNTRUSTED_KEY, ApkVerifier.verify(ApkIndex.read(unknown, "unknown"), keys, "unknown").code());

    ApkResolver r = f.resolver();
    Resolution app = r.resolveWorld(List.of("app"));
    assertEquals("app", app.names().get(app.names().size() - 1), "dependencies first");
    assertTrue(app.names().contains("openjdk21") && !app.names().contains("openjdk17"), "priority 200 wins: " + app.names());
    assertTrue(app.names().indexOf("musl") < app.names().indexOf("busybox"), app.names().toString());
    assertEquals(List.of("1.3.1-r0"), app.packages().stream().filter(c -> c.name().equals("zlib")).map(ApkResolver.Candidate::version).toList(),
        "the newest zlib provides so:libz.so.1");
    assertEquals(List.of("telnet"), app.conflicts());
    assertEquals(List.of("musl=1.2.5-r0", "zlib=1.2.13-r0"), r.resolveWorld(List.of("zlib=1.2.13-r0")).pinned(), "a pin picks the older one");
    for (String world : List.of("app", "curl", "busybox", "gen39", "gen20", "libcrypto3")) {
      assertClosed(r.resolveWorld(List.of(world)), world);
    }
  }

  @ParameterizedTest(name = "{0}")
  @SharedCsvSource(data = "apk/apko/pkg/apk/apk/testdata/alpine-316/APKINDEX.tar.gz", value = {"alpine-base", "busybox", "python3", "nginx", "curl", "openssh", "git"})
  void alpineWorldsResolveToAClosedConsistentSet(String world) throws Exception {
    Path idx = SharedData.require("apk/apko/pkg/apk/apk/testdata/alpine-316/APKINDEX.tar.gz");
    ApkResolver r = new ApkResolver(List.of(new Repository("", "alpine-316", ApkIndex.read(idx).packages())));
    Resolution res = r.resolveWorld(List.of(world));
    assertClosed(res, world);
    if (world.equals("busybox") || world.equals("alpine-base")) {
      assertTrue(res.names().indexOf("musl") < res.names().indexOf("busybox"), res.names().toString());
    }
  }

  /** The world entry last, each package once, every dependency satisfied by a package placed before it (or a cycle partner). */
  static void assertClosed(Resolution res, String world) {
    List<ApkResolver.Candidate> pkgs = res.packages();
    assertEquals(world, pkgs.get(pkgs.size() - 1).name(), "the world entry comes last: dependencies first");
    assertEquals(pkgs.size(), Set.copyOf(res.names()).size(), "each package once");
    // every dependency of every chosen package is satisfied by a package placed before it (or a cycle partner)
    Map<String, String> providedAt = new TreeMap<>();
    for (ApkResolver.Candidate c : pkgs) {
      providedAt.put(c.name(), c.version());
      for (String p : c.entry().provides()) {
        ApkConstraint pc = ApkConstraint.parse(p);
        providedAt.putIfAbsent(pc.name(), pc.version().isEmpty() ? c.version() : pc.version());
      }
    }
    for (ApkResolver.Candidate c : pkgs) {
      for (String d : c.entry().depends()) {
        ApkConstraint dc = ApkConstraint.parse(d);
        if (dc.conflict()) {
          assertFalse(res.names().contains(dc.name()), c + " conflicts with " + dc.name());
          continue;
        }
        assertTrue(providedAt.containsKey(dc.name()), c + " needs " + d + ", which nothing in " + res.names() + " provides");
      }
    }
  }

  @Test
  void aResolverCanBeReused() {
    // a second resolution must not see the first one's choices (apko clones its resolver per resolution)
    ApkResolver r = new ApkResolver(List.of(repo("", "app 1-r0 D:lib", "app 2-r0 D:lib", "lib 1-r0")));
    assertEquals(List.of("lib-1-r0", "app-1-r0"), r.resolveWorld(List.of("app=1-r0")).packages().stream().map(c -> c.entry().id()).toList());
    assertEquals(List.of("lib-1-r0", "app-2-r0"), r.resolveWorld(List.of("app=2-r0")).packages().stream().map(c -> c.entry().id()).toList());
  }

  @Test
  void highestVersionWins() {
    assertEquals(List.of("a-1.10-r0"), resolve(List.of(repo("", "a 1.9-r5", "a 1.10-r0", "a 1.10_rc1-r0")), "a"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "a=1.2-r0, a-1.2-r0", "a>1.2-r0, a-2.0-r0", "a<1.2-r0, a-1.1-r0", "a<=1.2-r0, a-1.2-r0", "a>=1.2-r0, a-2.0-r0",
      "a~1, a-1.2-r0", "a~1.1, a-1.1-r0", "a<2, a-1.2-r0", "a=~1.1, a-1.1-r0"})
  void versionConstraints(String world, String expected) {
    Repository r = repo("", "a 1.1-r0", "a 1.2-r0", "a 2.0-r0");
    assertEquals(List.of(expected), resolve(List.of(r), world));
  }

  @Test
  void dependenciesComeFirstDepthFirst() {
    Repository r = repo("", "app 1-r0 D:lib D:tool", "lib 1-r0 D:libc", "tool 1-r0 D:libc", "libc 1-r0");
    assertEquals(List.of("libc-1-r0", "lib-1-r0", "tool-1-r0", "app-1-r0"), resolve(List.of(r), "app"));
  }

  @Test
  void soAndCmdVirtualsResolveToTheirProviders() {
    Repository r = repo("", "app 1-r0 D:so:libz.so.1 D:cmd:sh", "zlib 1.3-r0 p:so:libz.so.1=1.3.1", "busybox 1.36-r0 p:cmd:sh=1.36-r0",
        "zlib 1.2-r0 p:so:libz.so.1=1.2.13");
    assertEquals(List.of("busybox-1.36-r0", "zlib-1.3-r0", "app-1-r0"), resolve(List.of(r), "app"));
  }

  @Test
  void providerPriorityDecidesBetweenProvidersOfAVirtual() {
    Repository r = repo("", "app 1-r0 D:jre", "openjdk17 17-r0 p:jre k:100", "openjdk21 21-r0 p:jre k:200", "openjdk11 11-r0 p:jre");
    assertEquals(List.of("openjdk21-21-r0", "app-1-r0"), resolve(List.of(r), "app"));
  }

  @Test
  void versionedProvideBeatsPriorityWhenItIsNewer() {
    Repository r = repo("", "app 1-r0 D:pc:zlib", "zlib-ng 2-r0 p:pc:zlib=1.3.1 k:10", "zlib 1.3-r0 p:pc:zlib=1.3.0 k:100");
    assertEquals(List.of("zlib-ng-2-r0", "app-1-r0"), resolve(List.of(r), "app"));
  }

  @Test
  void conflictsExcludeProviders() {
    Repository r = repo("", "a 1-r0 D:b", "b 1-r0", "c 1-r0 p:b");
    assertEquals(List.of("c-1-r0"), resolve(List.of(r), "!a", "c"));
    // !b excludes b and everything that provides b (apko's disqualifyProviders)
    ApkResolveException e = assertThrows(ApkResolveException.class, () -> resolve(List.of(r), "!b", "a"));
    assertEquals(List.of("a", "a-1-r0.apk", "b"), e.chain());
    assertTrue(e.getMessage().contains("excluded by !b"), e.getMessage());
    Resolution res = new ApkResolver(List.of(repo("", "x 1-r0 D:!y"))).resolveWorld(List.of("x"));
    assertEquals(List.of("y"), res.conflicts());
  }

  @Test
  void taggedRepositoriesOnlyServePinnedRequests() {
    Repository main = repo("", "a 1-r0");
    Repository edge = repo("edge", "a 2-r0");
    assertEquals(List.of("a-1-r0"), resolve(List.of(main, edge), "a"));
    assertEquals(List.of("a-2-r0"), resolve(List.of(main, edge), "a@edge"));
  }

  @Test
  void newestWinsAcrossRepositoriesUnlikeApkTools() {
    assertEquals(List.of("a-2-r0"), resolve(List.of(repo("", "a 1-r0"), repo("", "a 2-r0")), "a"));
  }

  @Test
  void sameNameAndVersionInTwoRepositoriesTakesTheFirstRepository() {
    Repository first = repo("", "a 1-r0");
    Repository second = repo("", "a 1-r0");
    ApkResolver.Candidate c = new ApkResolver(List.of(first, second)).resolveWorld(List.of("a")).packages().get(0);
    assertSame(first, c.repository());
    assertSame(second, new ApkResolver(List.of(second, first)).resolveWorld(List.of("a")).packages().get(0).repository());
  }

  @Test
  void installIfJoinsWhenAllConditionsArePresent() {
    Repository r = repo("", "app 1-r0 D:docs D:man", "docs 1-r0", "man 1-r0", "app-doc 1-r0 i:docs i:man", "other-doc 1-r0 i:docs i:nothere");
    assertEquals(List.of("docs-1-r0", "man-1-r0", "app-doc-1-r0", "app-1-r0"), resolve(List.of(r), "app"));
  }

  @Test
  void soDependencyWithoutRevisionSortsBelowVersionedProvides() {
    ApkConstraint c = ApkConstraint.parse("so:libfoo.so.1=1.2");
    assertEquals("0.1.2", c.version());
    assertEquals("1.2-r0", ApkConstraint.parse("so:libfoo.so.1=1.2-r0").version());
  }

  @Test
  void unsatisfiableErrorNamesTheChain() {
    Repository r = repo("", "app 1-r0 D:lib", "lib 1-r0 D:libc>2", "libc 1-r0");
    ApkResolveException e = assertThrows(ApkResolveException.class, () -> resolve(List.of(r), "app"));
    assertEquals(ApkCode.APK_UNSATISFIABLE, e.code());
    assertEquals(List.of("app", "app-1-r0.apk", "lib", "lib-1-r0.apk", "libc>2"), e.chain());
    assertTrue(e.getMessage().contains("\"1-r0\" does not satisfy \"libc>2\""), e.getMessage());
    ApkResolveException missing = assertThrows(ApkResolveException.class, () -> resolve(List.of(r), "nosuch"));
    assertEquals(List.of("nosuch"), missing.chain());
    assertTrue(missing.getMessage().contains("nothing provides \"nosuch\""));
  }

  @Test
  void multiArchDisqualifiesVersionsMissingOnAnotherArch() {
    Map<String, List<Repository>> byArch = Map.of(
        "x86_64", List.of(repo("", "a 1-r0", "a 2-r0")),
        "aarch64", List.of(repo("", "a 1-r0")));
    Map<String, Resolution> r = ApkResolver.resolveAll(byArch, List.of("a"));
    assertEquals(List.of("a=1-r0"), r.get("x86_64").pinned());
    assertEquals(List.of("a=1-r0"), r.get("aarch64").pinned());
  }

  /** The package graph of apko's own resolver tests (pkg/apk/apk/repo_test.go testGetPackagesAndIndex). */
  static Repository apkoGraph() {
    return repo("",
        "package1 1.0.0 D:dep1 D:dep2 D:dep3", "dep1 1.0.0 D:dep4 D:dep5", "dep2 1.0.0 D:dep3 D:/bin/sh",
        "dep3 1.0.0 D:dep6 D:cmd:/bin/foo D:so:libq.so.1", "dep4 1.0.0", "dep5 1.0.0", "dep6 1.0.0", "dep7 1.0.0",
        "dep8 1.0.0 D:dep8", "libq 1.0.0 p:so:libq.so.1", "foo 1.0.0 p:cmd:/bin/foo", "busybox 1.0.0 p:/bin/sh",
        "unused 1.0.0", "package2 1.0.0 D:dep2 D:dep7", "package3 1.0.0 D:dep8",
        "package5 1.0.0", "package5 1.5.0", "package5 1.5.1", "package5 2.0.0",
        "package5-special 1.2.0 p:package5", "package5-conflict 1.2.0 p:package5=1.2.0", "package5-noconflict 1.2.0 p:package5",
        "package6 1.5.1", "package6 2.0.0 D:package6 D:package5", "package7 1", "package8 2 p:package7=0.9",
        "package9 2.0.0 D:package5", "abc9 2.0.0 D:package5", "locked-dep 2.0.0 D:package5=1.5.1");
  }

  @Test
  void apkoResolverTestCasesGiveApkosAnswers() {
    List<Repository> g = List.of(apkoGraph());
    // "names only": depth first, dependencies before dependents, fewest options then lexical order at each level
    assertEquals(List.of("dep4", "dep5", "dep1", "busybox", "foo", "dep6", "libq", "dep3", "dep2", "package1", "dep7", "package2"),
        new ApkResolver(g).resolveWorld(List.of("package1", "package2")).names());
    // "dependency in world": the world's choice satisfies a dependency even at a lower version
    assertEquals(List.of("package5-2.0.0", "abc9-2.0.0"), resolve(g, "package5", "abc9"));
    assertEquals(List.of("package5-1.5.1", "abc9-2.0.0"), resolve(g, "package5=1.5.1", "abc9"));
    assertEquals(2, resolve(g, "package5-special", "abc9").size());
    assertTrue(resolve(g, "package5-special", "abc9").contains("package5-special-1.2.0"));
    // unversioned provides do not conflict; a versioned one does
    assertEquals(3, resolve(g, "package5-special", "package5-noconflict", "abc9").size());
    assertThrows(ApkResolveException.class, () -> resolve(g, "package5-special", "package5-conflict", "abc9"));
    // "locked versions" and "stricter requirement wins"
    assertEquals(List.of("package5-1.5.1", "locked-dep-2.0.0"), resolve(g, "package5", "locked-dep"));
    assertEquals(List.of("package5-1.5.1"), resolve(g, "package5>1.0.0", "package5=1.5.1"));
    assertThrows(ApkResolveException.class, () -> resolve(g, "package5=1.0.0", "package5=1.5.1"));
    // circular dependency on itself
    assertEquals(List.of("dep8-1.0.0", "package3-1.0.0"), resolve(g, "package3"));
    // the package named package7 (version 1) beats package8, which provides package7=0.9
    assertEquals(List.of("package7-1"), resolve(g, "package7"));
  }
}
