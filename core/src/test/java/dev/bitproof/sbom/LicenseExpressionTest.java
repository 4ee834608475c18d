package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LicenseExpressionTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "MIT|mit", "MIT OR Apache-2.0|Apache-2.0 OR MIT", "(MIT AND BSD-3-Clause) OR GPL-2.0+|GPL-2.0-or-later OR (BSD-3-Clause AND MIT)",
      "GPL-2.0|GPL-2.0-only", "Apache-2.0 WITH LLVM-exception|apache-2.0 with llvm-exception",
      "MIT AND (ISC AND Zlib)|Zlib AND MIT AND ISC", "LicenseRef-foo|licenseref-foo"})
  void sameLicence(String a, String b) {
    assertTrue(LicenseExpression.parse(a).orElseThrow().sameAs(LicenseExpression.parse(b).orElseThrow()), a + " vs " + b);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"MIT OR Apache-2.0|MIT AND Apache-2.0", "GPL-2.0-only|GPL-2.0-or-later",
      "MIT|MIT-0", "(MIT OR ISC) AND Zlib|MIT OR (ISC AND Zlib)"})
  void differentLicence(String a, String b) {
    assertFalse(LicenseExpression.parse(a).orElseThrow().sameAs(LicenseExpression.parse(b).orElseThrow()), a + " vs " + b);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"MIT License", "MIT AND", "(MIT", "MIT)", "AND MIT", "MIT WITH", "MIT OR OR ISC", "'  '"})
  void notAnExpression(String s) {
    assertTrue(LicenseExpression.parse(s).isEmpty(), s);
  }

  @Test
  void deeplyNestedInputIsRefusedNotAStackOverflow() {
    assertTrue(LicenseExpression.parse("(".repeat(10_000) + "MIT" + ")".repeat(10_000)).isEmpty());
  }

  @Test
  void debianMachineReadableCopyright() {
    String dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x\n\n"
        + "Files: *\nCopyright: 2020 A\nLicense: GPL-2+\n\nFiles: lib/*\nCopyright: B\nLicense: Expat or BSD-3-clause\n\n"
        + "License: GPL-2+\n This program is free software\n";
    assertEquals(Set.of("GPL-2.0-or-later", "MIT", "BSD-3-Clause"),
        DebianCopyright.licenses(dep5.getBytes(StandardCharsets.UTF_8)).orElseThrow());
    assertTrue(DebianCopyright.licenses("This is free software.\n".getBytes(StandardCharsets.UTF_8)).isEmpty());
    assertTrue(DebianCopyright.licenses((dep5 + "\nFiles: odd/*\nCopyright: C\nLicense: custom-thing\n")
        .getBytes(StandardCharsets.UTF_8)).isEmpty(), "an unmappable licence: no comparison");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"1.0.0a1|1.0.0-Alpha1", "1.0|v1.0", "1.0.post1|1.0-1", "1.0.dev0|1.0dev", "1.01|1.1",
      "0!1.0|1.0", "1.0rc1|1.0c1", "1.0+Local_1|1.0+local.1"})
  void pep440Normalization(String a, String b) {
    assertEquals(Versions.pep440(a), Versions.pep440(b));
    assertTrue(Versions.same(LanguagePackage.Ecosystem.PYPI, a, b));
  }

  @Test
  void otherEcosystemsVersions() {
    assertTrue(Versions.same(LanguagePackage.Ecosystem.NPM, "v1.2.3+build", "1.2.3"));
    assertFalse(Versions.same(LanguagePackage.Ecosystem.NPM, "1.2.3-rc.1", "1.2.3"));
    assertFalse(Versions.same(LanguagePackage.Ecosystem.GOLANG, "v0.0.0-20240101000000-abcdefabcdef", "v0.0.0-20240101000000-abcdefabcdee"));
    assertFalse(Versions.same(LanguagePackage.Ecosystem.MAVEN, "1.0", "1.0.0"));
    assertFalse(Versions.same(LanguagePackage.Ecosystem.PYPI, "1.0.0a1", "1.0.0"));
  }
}
