package dev.bitproof.cli;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.json.Json;
import dev.bitproof.testing.ApkFixtures;
import dev.bitproof.testing.ApkFixtures.Apk;
import dev.bitproof.testing.ApkFixtures.Entry;
import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApkCliTest {
  @TempDir
  Path tmp;

  /**
   * An index and a package signed by two different keys of one keyring directory, as Alpine signs its index and
   * its packages (RSA, SHA-1): both verify, each naming its key; the index is x86_64 and the package aarch64, so
   * the index's stanza of the same name and version is not its stanza and there is no cross-check. The real Alpine
   * index and package under Alpine's keys are ApkRealDataTest's.
   */
  @Test
  void indexAndPackageVerifyNamingTheirKeys() throws Exception {
    ApkFixtures.TestKey indexKey = ApkFixtures.key("cli-index-6165ee59.rsa.pub");
    ApkFixtures.TestKey packageKey = ApkFixtures.key("cli-packages-616ae350.rsa.pub");
    Path keys = tmp.resolve("keys");
    indexKey.writePublic(keys);
    packageKey.writePublic(keys);
    ApkFixtures.key("cli-unused.rsa.pub").writePublic(keys);
    Apk x86 = new Apk("alpine-baselayout", "3.2.0-r23", "x86_64").file("etc/motd", "hi\n").signedBy(packageKey, "RSA");
    byte[] x86Bytes = x86.build();
    Path idx = Files.write(Files.createDirectories(tmp.resolve("repo")).resolve("APKINDEX.tar.gz"),
        ApkFixtures.index(ApkFixtures.stanza(x86Bytes, dev.bitproof.apk.ApkPackage.read(x86Bytes, "x86")), indexKey, "RSA"));
    Path arm = Files.write(tmp.resolve("alpine-baselayout-3.2.0-r23.apk"),
        new Apk("alpine-baselayout", "3.2.0-r23", "aarch64").file("etc/motd", "hi\n").signedBy(packageKey, "RSA").build());
    Run r = run("apk", "verify", "--keyring", keys.toString(), idx.toString(), arm.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("signed by " + indexKey.name()), r.out());
    assertTrue(r.out().contains("signed by " + packageKey.name()), r.out());
    assertFalse(r.out().contains("APKINDEX_PACKAGE_"), r.out());
    // the package the stanza does describe is cross-checked
    Path same = Files.write(Files.createDirectories(tmp.resolve("x86")).resolve("alpine-baselayout-3.2.0-r23.apk"), x86Bytes);
    Run x = run("apk", "verify", "--keyring", keys.toString(), idx.toString(), same.toString());
    assertEquals(0, x.code(), x.out() + x.err());
    assertTrue(x.out().contains("APKINDEX_PACKAGE_OK"), x.out());
  }

  /** The demo's repository (testdata/demo): every package and index verifies with its key, cross-checked. */
  @Test
  void everyDemoPackageVerifiesWithTheDemoKeyAsJson() throws Exception {
    Path demo = SharedData.testdata("demo");
    List<String> args = new ArrayList<>(List.of("apk", "verify", "--format", "json", "--keyring", demo.resolve("keys").toString()));
    try (Stream<Path> s = Files.walk(demo.resolve("packages"))) {
      s.filter(p -> p.toString().endsWith(".apk") || p.getFileName().toString().equals("APKINDEX.tar.gz")).sorted().forEach(p -> args.add(p.toString()));
    }
    Run r = run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode doc = Json.mapper().readTree(r.out());
    assertEquals("PASS", doc.get("result").asText());
    assertEquals(6, doc.get("files").size());
    for (JsonNode f : doc.get("files")) {
      assertEquals("bitproof-demo.rsa.pub", f.get("signer").asText(), f.toString());
      if (f.get("kind").asText().equals("apk")) {
        assertTrue(f.get("findings").toString().contains("APKINDEX_PACKAGE_OK"), "cross-checked against its arch's index: " + f);
      }
    }
  }

  /** A package signed by a key the keyring does not hold (as Wolfi's are, here): exit 1, the code and the key named. */
  @Test
  void packageByAnUnknownKeyReportsAnUntrustedKeyNotACrash() throws Exception {
    Path keys = tmp.resolve("keys");
    ApkFixtures.key("cli-trusted.rsa.pub").writePublic(keys);
    ApkFixtures.TestKey wolfi = ApkFixtures.key("cli-wolfi-signing.rsa.pub");
    Path apk = Files.write(tmp.resolve("libcap-2.69-r0.apk"),
        new Apk("libcap", "2.69-r0", "aarch64").file("usr/lib/libcap.so.2", "lib").signedBy(wolfi, "RSA").build());
    Run r = run("apk", "verify", "--keyring", keys.toString(), apk.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("APK_SIGNATURE_UNTRUSTED_KEY"), r.out());
    assertTrue(r.out().contains(wolfi.name()), r.out());
    assertTrue(r.out().contains("APK_DATAHASH_OK"), "the data is still checked: " + r.out());
  }

  @Test
  void eachNegativeFixtureExitsOneWithItsCode() throws Exception {
    ApkFixtures.TestKey key = ApkFixtures.key("bitproof-test.rsa.pub");
    Path keys = tmp.resolve("keys");
    key.writePublic(keys);
    Apk good = new Apk("hello", "1.0-r0", "x86_64").file("usr/share/hello", "hi\n").signedBy(key);
    ApkFixtures.Streams s = good.streams();
    ApkFixtures.Streams evil = new Apk("hello", "1.0-r0", "x86_64").file("usr/share/hello", "evil\n").signedBy(key).streams();
    java.util.Map<String, byte[]> cases = new java.util.LinkedHashMap<>();
    cases.put("APK_TRUNCATED", java.util.Arrays.copyOf(s.concat(), s.concat().length - 10));
    cases.put("APK_NOT_GZIP", ApkFixtures.concat(s.concat(), "trailing junk".getBytes()));
    cases.put("APK_NO_PKGINFO", new Apk("x", "1-r0", "x86_64").noPkgInfo().controlEntry(Entry.file(".pre-install", "x")).signedBy(key).build());
    cases.put("APK_TAR_PATH_ESCAPE", new Apk("x", "1-r0", "x86_64").file("../../etc/shadow", "x").signedBy(key).build());
    cases.put("APK_TAR_PATH_ABSOLUTE", new Apk("x", "1-r0", "x86_64").file("/etc/shadow", "x").signedBy(key).build());
    cases.put("APK_SIGNATURE_INVALID", ApkFixtures.concat(s.signature(), evil.control(), evil.data()));
    cases.put("APK_DATAHASH_MISMATCH", ApkFixtures.concat(s.signature(), s.control(), evil.data()));
    cases.put("APK_SIGNATURE_UNTRUSTED_KEY", new Apk("x", "1-r0", "x86_64").file("a", "b").signedBy(ApkFixtures.key("stranger.rsa.pub")).build());
    cases.put("APK_UNSIGNED", new Apk("x", "1-r0", "x86_64").file("a", "b").build());
    cases.put("APK_DECOMPRESSION_BOMB", new Apk("x", "1-r0", "x86_64").entry(new Entry("zeros", new byte[24 << 20], 'f', "", java.util.Map.of())).signedBy(key).build());
    for (var c : cases.entrySet()) {
      Path f = Files.write(tmp.resolve(c.getKey().toLowerCase() + ".apk"), c.getValue());
      Run r = run("apk", "verify", "--format", "json", "--keyring", keys.toString(), f.toString());
      assertEquals(1, r.code(), c.getKey() + ": " + r.out() + r.err());
      JsonNode doc = Json.mapper().readTree(r.out());
      List<String> codes = new ArrayList<>();
      doc.get("files").get(0).get("findings").forEach(x -> codes.add(x.get("code").asText()));
      assertTrue(codes.contains(c.getKey()), c.getKey() + " not in " + codes);
    }
    // an index signed by our key, then tampered
    byte[] idx = ApkFixtures.index("C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:a\nV:1-r0\n\n", key, "RSA256");
    Path dir = Files.createDirectories(tmp.resolve("repo"));
    Path good2 = Files.write(dir.resolve("APKINDEX.tar.gz"), idx);
    assertEquals(0, run("apk", "verify", "--keyring", keys.toString(), good2.toString()).code());
    byte[] bad = idx.clone();
    bad[bad.length - 12] ^= 1; // inside the gzip CRC of the index stream: the signature no longer matches
    Path dir2 = Files.createDirectories(tmp.resolve("repo2"));
    Run r = run("apk", "verify", "--keyring", keys.toString(), Files.write(dir2.resolve("APKINDEX.tar.gz"), bad).toString());
    assertEquals(1, r.code(), r.out());
    assertTrue(r.out().contains("APKINDEX_SIGNATURE_INVALID") || r.out().contains("APK_CORRUPT"), r.out());
  }

  @Test
  void keyFileThatIsNotRsaIsReported() throws Exception {
    ApkFixtures.TestKey key = ApkFixtures.key("bitproof-test.rsa.pub");
    Path keys = Files.createDirectories(tmp.resolve("eckeys"));
    var g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    Files.writeString(keys.resolve(key.name()), ApkFixtures.pem(g.generateKeyPair().getPublic()));
    Path f = Files.write(tmp.resolve("x.apk"), new Apk("x", "1-r0", "x86_64").file("a", "b").signedBy(key).build());
    Run r = run("apk", "verify", "--keyring", keys.toString(), f.toString());
    assertEquals(1, r.code());
    assertTrue(r.out().contains("APK_SIGNATURE_KEY_INVALID"), r.out());
  }

  /** A package and index built here: the offsets and Q1 checksum come from the writer's own streams, not the reader. */
  @Test
  void infoShowsPkgInfoChecksumsAndSigner(@TempDir Path tmp) throws Exception {
    ApkFixtures.TestKey key = ApkFixtures.key("info-test.rsa.pub");
    key.writePublic(tmp.resolve("keys"));
    Apk a = new Apk("replayout", "1.0.0-r0", "x86_64").add("replaces", "pretend-baselayout").signedBy(key)
        .entry(Entry.dir("etc")).file("etc/os-release", "ID=replayout\n");
    ApkFixtures.Streams st = a.streams();
    Path apk = Files.write(tmp.resolve("replayout-1.0.0-r0.apk"), st.concat());
    String q1 = "Q1" + java.util.Base64.getEncoder().encodeToString(ApkFixtures.sha("SHA-1", st.control()));
    Run r = run("apk", "info", "--format", "json", apk.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode d = Json.mapper().readTree(r.out());
    assertEquals("replayout", d.get("name").asText());
    assertEquals(q1, d.get("checksum").asText());
    assertEquals(st.signature().length, d.get("streams").get("control").get("offset").asLong());
    assertEquals(st.signature().length + st.control().length, d.get("streams").get("data").get("offset").asLong());
    assertEquals("info-test.rsa.pub", d.get("signatures").get(0).get("key").asText());
    assertEquals("pretend-baselayout", d.get("pkginfo").get("replaces").get(0).asText());
    Run t = run("apk", "info", "--keyring", tmp.resolve("keys").toString(), apk.toString());
    assertEquals(0, t.code());
    assertTrue(t.out().contains("checksum: " + q1), t.out());
    assertTrue(t.out().contains("APK_SIGNATURE_OK"), t.out());
    StringBuilder stanzas = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      byte[] b = new Apk("p" + i, "1.0-r0", "x86_64").signedBy(key).build();
      stanzas.append(ApkFixtures.stanza(b, dev.bitproof.apk.ApkPackage.read(b, "p" + i)));
    }
    Path idxFile = Files.write(tmp.resolve("APKINDEX.tar.gz"), ApkFixtures.index(stanzas.toString(), key, "RSA256"));
    Run idx = run("apk", "info", idxFile.toString());
    assertEquals(0, idx.code());
    assertTrue(idx.out().contains("packages: 3"), idx.out());
  }

  @Test
  void missingFileOrKeyringCannotBeChecked() {
    Path keys = SharedData.testdata("demo/keys");
    assertEquals(3, run("apk", "verify", "--keyring", keys.toString(), tmp.resolve("nope.apk").toString()).code());
    assertEquals(3, run("apk", "verify", "--keyring", tmp.resolve("nokeys").toString(), tmp.resolve("nope.apk").toString()).code());
    assertEquals(2, run("apk", "verify", "x.apk").code());
    assertEquals(3, run("apk", "info", tmp.resolve("nope.apk").toString()).code());
  }

  @Test
  void resolveGivesApkoInstallOrderPerArch() throws Exception {
    Path demo = SharedData.testdata("demo");
    Path pk = demo.resolve("packages");
    Path keys = demo.resolve("keys");
    Run r = run("apk", "resolve", "--format", "json", "--keyring", keys.toString(), "--repository", pk.toString(),
        "--arch", "x86_64,aarch64", "demo-hello");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode d = Json.mapper().readTree(r.out());
    assertEquals("demo-baselayout", d.get("archs").get("x86_64").get(0).get("name").asText());
    assertEquals("Q1VhhSASNb0FlrBWxnyDgrPx7971o=", d.get("archs").get("x86_64").get(1).get("checksum").asText());
    assertEquals("Q1sDoOEwdHE8FJCABnSSjb7MaSKZ4=", d.get("archs").get("aarch64").get(1).get("checksum").asText());
    Run bad = run("apk", "resolve", "--keyring", keys.toString(), "--repository", pk.toString(), "demo-hello>2");
    assertEquals(3, bad.code(), bad.out() + bad.err());
    assertTrue(bad.err().contains("APK_UNSATISFIABLE"), bad.err());
    Path other = dev.bitproof.testing.ApkFixtures.key("someone-else.rsa.pub").writePublic(tmp.resolve("other-keys")).getParent();
    Run untrusted = run("apk", "resolve", "--keyring", other.toString(), "--repository", pk.toString(), "demo-hello");
    assertEquals(1, untrusted.code(), untrusted.out());
    assertTrue(untrusted.out().contains("APKINDEX_SIGNATURE_UNTRUSTED_KEY"), untrusted.out());
  }
}
