package dev.bitproof.cli;

import dev.bitproof.report.CommonCode;
import dev.bitproof.fetch.FetchCode;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.apk.db.ApkDbCode;
import dev.bitproof.apko.ApkoCode;
import dev.bitproof.attest.AttestCode;
import dev.bitproof.attest.bundle.BundleCode;
import dev.bitproof.attest.dsse.DsseCode;
import dev.bitproof.attest.intoto.IntotoCode;
import dev.bitproof.attest.registry.AttachCode;
import dev.bitproof.attest.sign.SignCode;
import dev.bitproof.cli.commands.CliCode;
import dev.bitproof.compare.CompareCode;
import dev.bitproof.compress.CompressCode;
import dev.bitproof.deb.DebCode;
import dev.bitproof.gocompat.GoCompatCode;
import dev.bitproof.hook.HookCode;
import dev.bitproof.image.ImageCode;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.JsonCode;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.policy.PolicyCode;
import dev.bitproof.policy.Rule;
import dev.bitproof.rebuild.RebuildCode;
import dev.bitproof.report.Area;
import dev.bitproof.report.Code;
import dev.bitproof.sbom.SbomCode;
import dev.bitproof.tar.TarCode;
import dev.bitproof.testing.SharedData;
import dev.bitproof.verify.VerifyCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every finding and error code is documented, on its area's page, and the docs name no code that no enum has.
 * A new code: add a constant to the enum of the lowest package that emits it, and a line to its area's page.
 */
class CodesDocumentedTest {
  /** Every {@link Code} enum; {@link #everyCodeEnumIsListed} keeps this list complete. */
  static final List<Class<? extends Enum<?>>> ENUMS = List.of(ApkCode.class, ApkDbCode.class, ApkoCode.class,
      AttestCode.class, BundleCode.class, DsseCode.class, IntotoCode.class, AttachCode.class, SignCode.class,
      CliCode.class, CommonCode.class, CompareCode.class, CompressCode.class, DebCode.class, FetchCode.class, GoCompatCode.class, HookCode.class,
      ImageCode.class, IoCode.class, JsonCode.class, OciCode.class, TransportCode.class, PolicyCode.class, Rule.class,
      RebuildCode.class, SbomCode.class, TarCode.class, VerifyCode.class);

  /** Upper-snake words in a docs page's code sections that are not codes (environment variables, values). */
  static final Set<String> NOT_CODES = Set.of("SOURCE_DATE_EPOCH", "OPERATING_SYSTEM", "PACKAGE_MANAGER", "VERSION_ID");

  private static final Pattern TOKEN = Pattern.compile("`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`");
  private static final Pattern ENUM_DECL = Pattern.compile("public enum (\\w+) implements Code\\b");

  static List<Code> all() {
    List<Code> out = new ArrayList<>();
    for (Class<? extends Enum<?>> e : ENUMS) {
      for (Enum<?> c : e.getEnumConstants()) {
        out.add((Code) c);
      }
    }
    return out;
  }

  @Test
  void everyCodeEnumIsListed() throws IOException {
    Set<String> declared = new TreeSet<>();
    for (String module : List.of("core", "attest", "hook", "cli")) {
      try (Stream<Path> s = Files.walk(SharedData.projectRoot().resolve(module).resolve("src/main/java"))) {
        for (Path p : s.filter(x -> x.toString().endsWith(".java")).toList()) {
          Matcher m = ENUM_DECL.matcher(Files.readString(p));
          while (m.find()) {
            declared.add(m.group(1));
          }
        }
      }
    }
    assertEquals(declared, ENUMS.stream().map(Class::getSimpleName).collect(Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void codeNamesAreUnique() {
    Map<String, List<String>> owners = new TreeMap<>();
    for (Code c : all()) {
      owners.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c.getClass().getSimpleName());
    }
    owners.values().removeIf(v -> v.size() == 1);
    assertEquals(Map.of(), owners, "one code, one enum constant");
  }

  @Test
  void everyCodeIsOnItsAreasPage() throws IOException {
    Map<String, List<String>> missing = new TreeMap<>();
    for (Code c : all()) {
      String page = Files.readString(SharedData.projectRoot().resolve(c.area().page()));
      if (!page.contains("`" + c.name() + "`")) {
        missing.computeIfAbsent(c.area().page(), k -> new ArrayList<>()).add(c.name());
      }
    }
    assertEquals(Map.of(), missing, "codes missing from their area's page");
  }

  @Test
  void docsNameNoUnknownCode() throws IOException {
    Set<String> known = all().stream().map(Code::name).collect(Collectors.toSet());
    Map<String, Set<String>> unknown = new TreeMap<>();
    for (Area a : Area.values()) {
      for (String token : codeSectionTokens(Files.readString(SharedData.projectRoot().resolve(a.page())))) {
        if (!known.contains(token) && !NOT_CODES.contains(token)) {
          unknown.computeIfAbsent(a.page(), k -> new TreeSet<>()).add(token);
        }
      }
    }
    assertEquals(Map.of(), unknown, "docs name codes that no enum has");
  }

  /** The code-like tokens in the sections whose heading says "code". */
  static List<String> codeSectionTokens(String markdown) {
    List<String> out = new ArrayList<>();
    boolean inCodes = false;
    for (String line : markdown.split("\n")) {
      if (line.startsWith("#")) {
        inCodes = line.toLowerCase(java.util.Locale.ROOT).contains("code");
        continue;
      }
      if (inCodes) {
        Matcher m = TOKEN.matcher(line);
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }

  @Test
  void everyAreaHasAPage() {
    List<String> absent = Arrays.stream(Area.values()).map(Area::page)
        .filter(p -> !Files.isRegularFile(SharedData.projectRoot().resolve(p))).toList();
    assertEquals(List.of(), absent);
  }
}
