package dev.bitproof.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.testing.DistrolessLayer;
import dev.bitproof.testing.TestImages;
import dev.bitproof.testing.TestImages.Entry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTest {
  @TempDir
  Path tmp;

  static final byte[] STATIC_BIN = TestElf.build(null, List.of(".text", ".rodata"));
  static final String PASSWD = "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
  static final String GROUP = "root:x:0:\nnonroot:x:65532:\n";

  /** The scratch image of the issue: a static binary, passwd/group, non-root USER. */
  TestImages scratch(String user, Entry... extra) {
    List<Entry> es = new ArrayList<>(List.of(
        Entry.dir("etc", 0755),
        Entry.file("etc/passwd", 0644, PASSWD),
        Entry.file("etc/group", 0644, GROUP),
        Entry.dir("app", 0755),
        Entry.file("app/server", 0755, STATIC_BIN)));
    es.addAll(List.of(extra));
    TestImages img = new TestImages().layer(es).entrypoint("/app/server");
    if (user != null) {
      img.user(user);
    }
    return img;
  }

  List<Finding> check(TestImages img, Policy policy) throws Exception {
    ImageReference ref = img.writeTo(tmp.resolve("img" + System.nanoTime()));
    try (ImageSource src = Transports.source(ref, TransportOptions.defaults())) {
      Images.Resolved r = Images.walk(src).images().get(0);
      return PolicyEngine.evaluate(ImageFacts.gather(src, r.manifest(), r.config()), policy, ref.toString());
    }
  }

  static List<Code> failing(List<Finding> fs) {
    return fs.stream().filter(Finding::fails).map(Finding::code).distinct().sorted(java.util.Comparator.comparing(Code::name)).collect(Collectors.toList());
  }

  static boolean has(List<Finding> fs, Code code, Severity sev) {
    return fs.stream().anyMatch(f -> f.code().equals(code) && f.severity() == sev);
  }

  @Test
  void scratchStaticNonRootPassesProduction() throws Exception {
    List<Finding> fs = check(scratch("nonroot"), Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(), failing(fs), fs::toString);
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(PolicyEngine.RULE_PASSED) && f.subject().equals(Rule.ENTRYPOINT_MISSING.name())
        && f.message().contains("static ELF")), fs::toString);
    assertTrue(has(fs, Rule.NO_CA_CERTIFICATES, Severity.INFO), "no CA bundle is informational");
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(PolicyEngine.BASE_FAMILY) && f.message().contains("SCRATCH")));
  }

  @Test
  void numericNonRootUserPasses() throws Exception {
    assertEquals(List.of(), failing(check(scratch("65532:65532"), Policy.of(Rule.Profile.PRODUCTION))));
  }

  @Test
  void rootUserFails() throws Exception {
    assertEquals(List.of(Rule.RUNS_AS_ROOT), failing(check(scratch("root"), Policy.of(Rule.Profile.PRODUCTION))));
    assertEquals(List.of(Rule.RUNS_AS_ROOT), failing(check(scratch(null), Policy.of(Rule.Profile.PRODUCTION))));
    assertEquals(List.of(Rule.RUNS_AS_ROOT), failing(check(scratch("0"), Policy.of(Rule.Profile.PRODUCTION))));
    List<Finding> dev = check(scratch("root"), Policy.of(Rule.Profile.DEV));
    assertEquals(List.of(), failing(dev));
    assertTrue(has(dev, Rule.RUNS_AS_ROOT, Severity.WARN));
  }

  @Test
  void missingUserAndHugeUidFail() throws Exception {
    assertEquals(List.of(Rule.USER_NOT_IN_PASSWD), failing(check(scratch("ghost"), Policy.of(Rule.Profile.PRODUCTION))));
    assertEquals(List.of(Rule.USER_NOT_IN_PASSWD), failing(check(scratch("99999999999"), Policy.of(Rule.Profile.PRODUCTION))));
    assertEquals(List.of(Rule.USER_NOT_IN_PASSWD), failing(check(scratch("nonroot:nogroup"), Policy.of(Rule.Profile.PRODUCTION))));
  }

  @Test
  void setuidFileFailsUnlessAllowed() throws Exception {
    Entry su = Entry.file("app/helper", 04755, "x");
    List<Finding> fs = check(scratch("nonroot", su), Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(Rule.SETUID_FILE), failing(fs));
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(Rule.SETUID_FILE) && f.subject().equals("/app/helper")
        && f.evidence().get("mode").equals("4755")));
    Policy allow = Policy.parse("rules:\n  SETUID_FILE: {allow: [/app/helper]}\n".getBytes(StandardCharsets.UTF_8), "p");
    assertEquals(List.of(), failing(check(scratch("nonroot", su), allow)));
  }

  @Test
  void busyboxShellIsPresent() throws Exception {
    List<Finding> fs = check(scratch("nonroot", Entry.dir("bin", 0755), Entry.file("bin/busybox", 0755, STATIC_BIN),
        Entry.symlink("bin/sh", "busybox")), Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(Rule.SHELL_PRESENT), failing(fs));
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(Rule.SHELL_PRESENT) && f.subject().equals("/bin/sh")));
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(Rule.SHELL_PRESENT) && f.subject().equals("/bin/busybox")));
  }

  @Test
  void danglingShellSymlinkIsNotAShell() throws Exception {
    List<Finding> fs = check(scratch("nonroot", Entry.dir("bin", 0755), Entry.symlink("bin/sh", "/nowhere")),
        Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(), failing(fs));
  }

  @Test
  void symlinkLoopDoesNotCrash() throws Exception {
    List<Finding> fs = check(scratch("nonroot", Entry.dir("bin", 0755), Entry.symlink("bin/sh", "sh2"),
        Entry.symlink("bin/sh2", "sh")), Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(), failing(fs));
  }

  @Test
  void packageManagerPresent() throws Exception {
    List<Finding> fs = check(scratch("nonroot", Entry.dir("sbin", 0755), Entry.file("sbin/apk", 0755, STATIC_BIN)),
        Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(Rule.PACKAGE_MANAGER_PRESENT), failing(fs));
  }

  @Test
  void worldWritableOutsideTmp() throws Exception {
    List<Finding> ok = check(scratch("nonroot", Entry.dir("tmp", 01777)), Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(), failing(ok));
    List<Finding> bad = check(scratch("nonroot", Entry.dir("data", 0777)), Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(Rule.WORLD_WRITABLE), failing(bad));
  }

  @Test
  void debugSymbolsAreFlagged() throws Exception {
    Entry dbg = Entry.file("app/server", 0755, TestElf.build(null, List.of(".text", ".symtab", ".debug_info")));
    List<Finding> fs = check(new TestImages().layer(Entry.file("etc/passwd", 0644, PASSWD), Entry.file("etc/group", 0644, GROUP), dbg)
        .user("nonroot").entrypoint("/app/server"), Policy.of(Rule.Profile.PRODUCTION));
    assertTrue(has(fs, Rule.DEBUG_SYMBOLS, Severity.WARN), fs::toString);
    Policy strict = Policy.parse("rules:\n  DEBUG_SYMBOLS: {severity: FAIL}\n".getBytes(StandardCharsets.UTF_8), "p");
    assertTrue(failing(check(new TestImages().layer(Entry.file("etc/passwd", 0644, PASSWD), Entry.file("etc/group", 0644, GROUP), dbg)
        .user("nonroot").entrypoint("/app/server"), strict)).contains(Rule.DEBUG_SYMBOLS));
  }

  @Test
  void entrypointMissingOrDynamic() throws Exception {
    List<Finding> none = check(new TestImages().layer(Entry.file("etc/passwd", 0644, PASSWD), Entry.file("etc/group", 0644, GROUP))
        .user("nonroot"), Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(Rule.ENTRYPOINT_MISSING), failing(none));
    List<Finding> gone = check(scratch("nonroot").entrypoint("/app/absent"), Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(Rule.ENTRYPOINT_MISSING), failing(gone));
    Entry dyn = Entry.file("app/server", 0755, TestElf.build("/lib/ld-musl-x86_64.so.1", List.of(".text")));
    List<Finding> d = check(new TestImages().layer(Entry.file("etc/passwd", 0644, PASSWD), Entry.file("etc/group", 0644, GROUP), dyn)
        .user("nonroot").env("PATH=/app").entrypoint("server"), Policy.of(Rule.Profile.PRODUCTION));
    assertTrue(d.stream().anyMatch(f -> f.subject().equals(Rule.ENTRYPOINT_MISSING.name()) && f.message().contains("ld-musl")), d::toString);
  }

  @Test
  void malformedPasswdIsReportedAndSkipped() throws Exception {
    List<Finding> fs = check(new TestImages().layer(Entry.file("etc/passwd", 0644, "garbage\nnonroot:x:65532:65532::/:/x\nbad:x:notanumber:1::/:/x\n"),
        Entry.file("etc/group", 0644, GROUP), Entry.file("app/server", 0755, STATIC_BIN))
        .user("nonroot").entrypoint("/app/server"), Policy.of(Rule.Profile.PRODUCTION));
    assertEquals(List.of(), failing(fs));
    assertTrue(fs.stream().anyMatch(f -> f.code().equals(Rule.ACCOUNTS_MALFORMED) && f.message().startsWith("2 ")), fs::toString);
  }

  @Test
  void hostileElfNeverCrashes() {
    byte[] good = TestElf.build("/lib/ld.so", List.of(".text", ".symtab"));
    assertTrue(Elf.parse(good).orElseThrow().hasDebugInfo());
    assertEquals("/lib/ld.so", Elf.parse(good).orElseThrow().interpreter().orElseThrow());
    java.util.Random rnd = new java.util.Random(42);
    for (int len = 0; len < good.length; len++) {
      Elf.parse(java.util.Arrays.copyOf(good, len)); // truncated at every length
    }
    for (int i = 0; i < 2000; i++) {
      byte[] b = good.clone();
      for (int k = 0; k < 4; k++) {
        b[4 + rnd.nextInt(b.length - 4)] = (byte) rnd.nextInt();
      }
      Elf.parse(b); // must not throw
    }
    byte[] huge = good.clone();
    java.nio.ByteBuffer.wrap(huge).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0x28, Long.MAX_VALUE - 10);
    assertTrue(Elf.parse(huge).orElseThrow().sections().isEmpty());
  }

  @Test
  void policyFileErrors() {
    assertEquals(PolicyCode.POLICY_INVALID, assertThrows(CheckException.class,
        () -> Policy.parse("profil: dev\n".getBytes(StandardCharsets.UTF_8), "p")).code());
    assertEquals(PolicyCode.POLICY_INVALID, assertThrows(CheckException.class,
        () -> Policy.parse("rules:\n  NOPE: {}\n".getBytes(StandardCharsets.UTF_8), "p")).code());
    assertEquals(PolicyCode.POLICY_INVALID, assertThrows(CheckException.class,
        () -> Policy.parse("rules:\n  SHELL_PRESENT: {severity: LOUD}\n".getBytes(StandardCharsets.UTF_8), "p")).code());
    assertEquals(PolicyCode.POLICY_INVALID, assertThrows(CheckException.class,
        () -> Policy.parse("a: &a [*a]\n".getBytes(StandardCharsets.UTF_8), "p")).code());
    Policy p = Policy.parse("profile: dev\nrules:\n  SHELL_PRESENT: {enabled: false}\n".getBytes(StandardCharsets.UTF_8), "p");
    assertEquals(Rule.Profile.DEV, p.profile());
    assertFalse(p.settings(Rule.SHELL_PRESENT).enabled());
  }

  /** An apko-style image the test builds ({@code TestApkoImage}): root user (apko's default), no shell, an apk database. */
  @Test
  void goldenApkoImage(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path golden = dev.bitproof.testing.TestApkoImage.build(tmp).published();
    try (ImageSource src = Transports.source(ImageReference.parse("oci:" + golden), TransportOptions.defaults())) {
      Images.Resolved r = Images.walk(src).images().get(0);
      ImageFacts facts = ImageFacts.gather(src, r.manifest(), r.config());
      List<Finding> fs = PolicyEngine.evaluate(facts, Policy.of(Rule.Profile.PRODUCTION), "golden");
      assertTrue(facts.shells().isEmpty(), "golden image has no shell: " + facts.shells());
      assertTrue(facts.user().isRoot());
      assertTrue(failing(fs).contains(Rule.RUNS_AS_ROOT), fs::toString);
      assertFalse(failing(fs).contains(Rule.SHELL_PRESENT));
      assertEquals(ImageFacts.BaseFamily.APK_BASED, facts.baseFamily());
      assertTrue(facts.packageCount() > 0);
    }
  }

  /** A distroless-style Debian layer the test builds: status.d database, os-release a symlink, no shell, no dpkg. */
  @Test
  void debianDistrolessLikeLayer() throws Exception {
    ImageReference ref = new TestImages().entrypoint("/usr/bin/true").writeTars(tmp.resolve("deb"), List.of(DistrolessLayer.tar()));
    try (ImageSource src = Transports.source(ref, TransportOptions.defaults())) {
      Images.Resolved r = Images.walk(src).images().get(0);
      ImageFacts facts = ImageFacts.gather(src, r.manifest(), r.config());
      assertEquals("debian", facts.osReleaseId());
      assertTrue(facts.packageDatabases().contains("/var/lib/dpkg/status.d"), facts.packageDatabases()::toString);
      assertEquals(DistrolessLayer.PACKAGES.size(), facts.packageCount());
      List<Finding> fs = PolicyEngine.evaluate(facts, Policy.of(Rule.Profile.PRODUCTION), "deb");
      assertTrue(failing(fs).contains(Rule.RUNS_AS_ROOT));
      System.err.println("distroless-like facts: " + facts.summary());
      assertEquals(ImageFacts.BaseFamily.DISTROLESS, facts.baseFamily(), facts.summary()::toString);
      assertEquals(List.of(), facts.shells(), "no shell in the layer");
      assertEquals(List.of(), facts.packageManagers(), "no dpkg binary: the layer holds only package data");
    }
  }

  static byte[] bytes(InputStream in) throws Exception {
    return in.readAllBytes();
  }

  static InputStream stream(byte[] b) {
    return new ByteArrayInputStream(b);
  }
}
