package dev.bitproof.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.apk.ApkCode;
import dev.bitproof.apk.ApkIndex;
import dev.bitproof.apk.ApkKeyring;
import dev.bitproof.apk.ApkPackage;
import dev.bitproof.apk.ApkRepositories;
import dev.bitproof.apk.ApkRepositories.RepositoryRef;
import dev.bitproof.apk.ApkResolver;
import dev.bitproof.apk.GzipMembers;
import dev.bitproof.apk.ApkVerifier;
import dev.bitproof.apk.IndexEntry;
import dev.bitproof.apk.SignatureEntry;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.ExitCodes;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bitproof apk verify|info}: APK packages and APKINDEX files. */
@Command(name = "apk", mixinStandardHelpOptions = true,
    description = "Verify and inspect APK packages and APKINDEX files.",
    subcommands = {ApkCommand.Verify.class, ApkCommand.Info.class, ApkCommand.Resolve.class},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:verified / ok", "1:checked and found failures", "2:usage error", "3:could not check", "4:internal error"})
public final class ApkCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: verify, info or resolve");
  }

  /** A file is an index when its name says so (APKINDEX*.tar.gz), otherwise a package. */
  static boolean isIndex(Path p) {
    return p.getFileName().toString().startsWith("APKINDEX");
  }

  /** A package that was read, for the cross-check against indexes given alongside. */
  record ReadPackage(Path file, ApkPackage pkg) {}

  /** One file's verdict. */
  record FileResult(Path file, String kind, List<Finding> findings, String signer, boolean cannotCheck) {
    boolean fails() {
      return findings.stream().anyMatch(Finding::fails);
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Verify APK packages and APKINDEX.tar.gz files against a keyring directory of PEM public keys "
          + "(matched by file name, as in /etc/apk/keys).",
          "A package passes when a signature by a trusted key verifies over its control stream, its .PKGINFO datahash "
              + "matches the data stream and every file matches its recorded SHA-1. An index passes when a signature "
              + "verifies over everything after its first gzip stream. Packages given together with an index are also "
              + "cross-checked against its C:/S:/V: entries."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:every file verified", "1:a file failed (bad, untrusted or missing signature, tampered or malformed)",
        "2:usage error", "3:could not check (missing file or keyring)", "4:internal error"})
  public static final class Verify implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--keyring", required = true, paramLabel = "DIR", description = "Directory of trusted PEM RSA public keys.")
    Path keyring;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "APK packages and APKINDEX.tar.gz files.")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
      Output out = common.output();
      ApkKeyring keys = ApkKeyring.load(keyring);
      List<FileResult> results = new ArrayList<>();
      List<ApkIndex> indexes = new ArrayList<>();
      List<ReadPackage> packages = new ArrayList<>();
      for (Path f : files) {
        results.add(verifyOne(f, keys, indexes, packages));
      }
      // packages named by a given index are cross-checked against its stanza
      for (ReadPackage pp : packages) {
        Path f = pp.file();
        ApkPackage p = pp.pkg();
        for (ApkIndex idx : indexes) {
          for (IndexEntry e : idx.byName(p.name())) {
            if (e.version().equals(p.version()) && (e.arch().isEmpty() || e.arch().equals(p.pkgInfo().arch()))) {
              FileResult r = results.stream().filter(x -> x.file() == f).findFirst().orElseThrow();
              r.findings().addAll(ApkVerifier.crossCheck(e, p, f.toString()));
            }
          }
        }
      }
      boolean failed = results.stream().anyMatch(FileResult::fails);
      boolean cannot = results.stream().anyMatch(FileResult::cannotCheck);
      ObjectNode doc = Json.mapper().createObjectNode();
      {
        doc.put("keyring", keyring.toString());
        doc.put("trustedKeys", keys.size());
        ArrayNode arr = doc.putArray("files");
        for (FileResult r : results) {
          ObjectNode n = arr.addObject();
          n.put("file", r.file().toString());
          n.put("kind", r.kind());
          n.put("result", r.fails() ? "FAIL" : r.cannotCheck() ? "ERROR" : "PASS");
          if (r.signer() != null) {
            n.put("signer", r.signer());
          }
          n.set("findings", Output.findingsJson(r.findings()));
        }
      }
      // nothing failed but a file could not be checked: ERROR, exit 3
      Result.Outcome outcome = failed ? Result.Outcome.FAIL : cannot ? Result.Outcome.ERROR : Result.Outcome.PASS;
      return out.render(new Result("apk verify", outcome, doc, w -> {
        for (FileResult r : results) {
          w.println(r.file() + ": " + (r.fails() ? "FAIL" : r.cannotCheck() ? "ERROR" : "PASS")
              + " (" + r.kind() + (r.signer() != null ? ", signed by " + r.signer() : "") + ")");
          for (Finding f : r.findings()) {
            w.println("  " + Output.findingText(f).replace("\n", "\n  "));
          }
        }
      }));
    }

    private static FileResult verifyOne(Path f, ApkKeyring keys, List<ApkIndex> indexes, List<ReadPackage> packages) {
      String kind = isIndex(f) ? "apkindex" : "apk";
      List<Finding> fs = new ArrayList<>();
      if (!Files.isRegularFile(f)) {
        fs.add(Files.isDirectory(f) ? Finding.of(IoCode.FILE_IS_DIRECTORY, Severity.INFO, f.toString(), "is a directory, not a package or index")
            : Finding.of(IoCode.FILE_NOT_FOUND, Severity.INFO, f.toString(), "no such file"));
        return new FileResult(f, kind, fs, null, true);
      }
      try {
        if (kind.equals("apkindex")) {
          ApkIndex idx = ApkIndex.read(f);
          indexes.add(idx);
          fs.add(ApkVerifier.verify(idx, keys, f.toString()));
        } else {
          ApkPackage p = ApkPackage.read(f);
          packages.add(new ReadPackage(f, p));
          fs.addAll(ApkVerifier.verify(p, keys, f.toString()));
        }
      } catch (CheckException e) {
        if (e.kind() == CheckException.Kind.INTEGRITY) {
          fs.add(Finding.fail(e.code(), f.toString(), e.getMessage()));
        } else {
          fs.add(Finding.of(e.code(), Severity.INFO, f.toString(), "could not check: " + e.getMessage()));
          return new FileResult(f, kind, fs, null, true);
        }
      } catch (IOException e) {
        fs.add(Finding.of(IoCode.IO_ERROR, Severity.INFO, f.toString(), "could not read: " + e.getMessage()));
        return new FileResult(f, kind, fs, null, true);
      }
      String signer = fs.stream().filter(x -> ApkCode.SIGNATURE_VERIFIED.contains(x.code())).map(x -> x.evidence().get("key")).findFirst().orElse(null);
      return new FileResult(f, kind, fs, signer, false);
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Show an APK's .PKGINFO, stream layout, checksums and signer (or an APKINDEX's signer and size). "
          + "The signer is what the file claims; give --keyring to have it verified.",
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:shown (and verified, with --keyring)", "1:malformed, or --keyring given and verification failed",
        "2:usage error", "3:could not check", "4:internal error"})
  public static final class Info implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--keyring", paramLabel = "DIR", description = "Also verify the signature against this keyring.")
    Path keyring;

    @Parameters(index = "0", paramLabel = "FILE", description = "An APK or APKINDEX.tar.gz.")
    Path file;

    @Override
    public Integer call() throws IOException {
      Output out = common.output();
      dev.bitproof.io.UserFiles.requireFile(file, IoCode.FILE_NOT_FOUND);
      Optional<ApkKeyring> keys = keyring == null ? Optional.empty() : Optional.of(ApkKeyring.load(keyring));
      ObjectNode doc = Json.mapper().createObjectNode();
      doc.put("file", file.toString());
      List<Finding> findings = new ArrayList<>();
      if (isIndex(file)) {
        ApkIndex idx = ApkIndex.read(file);
        doc.put("kind", "apkindex");
        doc.put("description", idx.description());
        doc.put("packages", idx.packages().size());
        idx.signature().ifPresent(s -> doc.put("signedFrom", s.end()));
        signatures(doc, idx.signatures());
        keys.ifPresent(k -> findings.add(ApkVerifier.verify(idx, k, file.toString())));
      } else {
        ApkPackage p = ApkPackage.read(file);
        doc.put("kind", "apk");
        doc.put("name", p.name());
        doc.put("version", p.version());
        doc.put("arch", p.pkgInfo().arch());
        doc.put("checksum", p.checksum());
        doc.put("size", p.size());
        doc.put("datahash", p.pkgInfo().datahash().orElse(""));
        doc.put("dataSha256", p.dataSha256Hex());
        doc.put("datahashMatches", p.datahashMatches().map(String::valueOf).orElse("absent"));
        ObjectNode streams = doc.putObject("streams");
        p.signature().ifPresent(s -> section(streams.putObject("signature"), s));
        section(streams.putObject("control"), p.control());
        section(streams.putObject("data"), p.data());
        doc.put("dataFiles", p.dataFiles());
        signatures(doc, p.signatures());
        ObjectNode pi = doc.putObject("pkginfo");
        p.pkgInfo().asMap().forEach((k, v) -> {
          if (v.size() == 1 && !isRepeatable(k)) {
            pi.put(k, v.get(0));
          } else {
            ArrayNode a = pi.putArray(k);
            v.forEach(a::add);
          }
        });
        ArrayNode control = doc.putArray("controlEntries");
        p.controlEntries().forEach(e -> control.add(e.path()));
        keys.ifPresent(k -> findings.addAll(ApkVerifier.verify(p, k, file.toString())));
      }
      if (keys.isPresent()) {
        doc.set("findings", Output.findingsJson(findings));
      }
      boolean failed = findings.stream().anyMatch(Finding::fails);
      return out.render(new Result("apk info", Result.Outcome.of(!failed), doc, w -> {
        text(w, doc);
        findings.forEach(f -> w.println(Output.findingText(f)));
      }));
    }

    private static boolean isRepeatable(String k) {
      return List.of("depend", "provides", "replaces", "install_if", "triggers").contains(k);
    }

    private static void section(ObjectNode n, GzipMembers.Section s) {
      n.put("offset", s.offset());
      n.put("length", s.length());
      n.put("sha1", HexFormat.of().formatHex(s.sha1()));
      n.put("sha256", HexFormat.of().formatHex(s.sha256()));
      n.put("uncompressed", s.uncompressedSize());
    }

    private static void signatures(ObjectNode doc, List<SignatureEntry> sigs) {
      ArrayNode a = doc.putArray("signatures");
      for (SignatureEntry s : sigs) {
        ObjectNode n = a.addObject();
        n.put("key", s.keyName());
        n.put("algorithm", s.algorithm());
        n.put("bytes", s.signature().length);
      }
    }

    /** One line for a nested value: {@code a b} for arrays, {@code k=v k=v} for objects. */
    private static String flat(com.fasterxml.jackson.databind.JsonNode v) {
      if (v.isValueNode()) {
        return v.asText();
      }
      List<String> parts = new ArrayList<>();
      if (v.isArray()) {
        v.forEach(x -> parts.add(flat(x)));
      } else {
        v.fields().forEachRemaining(x -> parts.add(x.getKey() + "=" + flat(x.getValue())));
      }
      return String.join(v.isArray() ? " " : ", ", parts);
    }

    private static void text(java.io.PrintWriter w, ObjectNode doc) {
      doc.fields().forEachRemaining(e -> {
        if (e.getKey().equals("findings") || e.getKey().equals("schemaVersion")) {
          return;
        }
        var v = e.getValue();
        if (v.isObject()) {
          w.println(e.getKey() + ":");
          v.fields().forEachRemaining(x -> w.println("  " + x.getKey() + ": " + flat(x.getValue())));
        } else if (v.isArray()) {
          w.println(e.getKey() + ": " + (v.isEmpty() ? "(none)" : ""));
          v.forEach(x -> w.println("  " + flat(x)));
        } else {
          w.println(e.getKey() + ": " + v.asText());
        }
      });
    }
  }

  @Command(name = "resolve", mixinStandardHelpOptions = true,
      description = {"Resolve packages (apko's contents.packages) against repository indexes as apko does, and print "
          + "the install order with each package's checksum.",
          "Every index must carry a signature that verifies with the keyring (as apko requires); with several --arch "
              + "values, versions missing on another arch are disqualified so all arches agree."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:resolved", "1:an index signature failed", "2:usage error",
        "3:could not resolve (unsatisfiable, unreachable repository)", "4:internal error"})
  public static final class Resolve implements Callable<Integer> {
    @Mixin
    Common common;

    @Mixin
    dev.bitproof.cli.options.FetchMixin fetch;

    @Option(names = "--repository", required = true, paramLabel = "REPO",
        description = "Repository: directory, file:// or http(s):// URL, optionally '@tag URL'. Repeatable.")
    List<String> repositories;

    @Option(names = "--arch", defaultValue = "x86_64", paramLabel = "ARCH", split = ",",
        description = "apk architecture(s) (default: ${DEFAULT-VALUE}).")
    List<String> archs;

    @Option(names = "--keyring", required = true, paramLabel = "DIR", description = "Directory of trusted PEM RSA public keys.")
    Path keyring;

    @Parameters(arity = "1..*", paramLabel = "PACKAGE", description = "Constraints such as busybox, musl>=1.2, foo@edge.")
    List<String> packages;

    @Override
    public Integer call() throws IOException {
      Output out = common.output();
      ApkKeyring keys = ApkKeyring.load(keyring);
      Map<String, List<ApkResolver.Repository>> byArch = new TreeMap<>();
      List<Finding> failures = new ArrayList<>();
      try (ApkRepositories repos = new ApkRepositories(ApkRepositories.Options.defaults(null)
          .withFetch(fetch.options(dev.bitproof.cli.options.WorkDir.of(null))))) {
        for (String arch : archs) {
          List<ApkResolver.Repository> list = new ArrayList<>();
          for (String line : repositories) {
            var ref = RepositoryRef.parse(line);
            ApkIndex idx = repos.fetchIndex(ref, arch);
            Finding f = ApkVerifier.verify(idx, keys, ref.location() + "/" + arch + "/APKINDEX.tar.gz");
            if (f.fails()) {
              failures.add(f);
            }
            list.add(new ApkResolver.Repository(ref.tag(), ref.location(), idx.packages()));
          }
          byArch.put(arch, list);
        }
      }
      if (!failures.isEmpty()) {
        if (out.json()) {
          ObjectNode doc = Json.mapper().createObjectNode();
          doc.set("findings", Output.findingsJson(failures));
          out.printDocument("apk resolve", Result.Outcome.FAIL, doc);
        } else {
          out.printFindings(failures);
          out.out().flush();
        }
        return ExitCodes.FAILED;
      }
      var resolved = ApkResolver.resolveAll(byArch, packages);
      if (out.json()) {
        ObjectNode doc = Json.mapper().createObjectNode();
        ObjectNode per = doc.putObject("archs");
        resolved.forEach((arch, r) -> {
          ArrayNode a = per.putArray(arch);
          r.packages().forEach(c -> {
            ObjectNode n = a.addObject();
            n.put("name", c.name());
            n.put("version", c.version());
            n.put("checksum", c.entry().checksum());
            n.put("repository", c.repository().uri());
          });
        });
        out.printDocument("apk resolve", Result.Outcome.PASS, doc);
      } else {
        resolved.forEach((arch, r) -> {
          out.out().println(arch + ":");
          r.packages().forEach(c -> out.out().println("  " + c.name() + "=" + c.version() + "  " + c.entry().checksum()
              + "  " + c.repository().uri()));
          if (!r.conflicts().isEmpty()) {
            out.out().println("  conflicts declared: " + String.join(" ", r.conflicts()));
          }
        });
        out.out().flush();
      }
      return ExitCodes.OK;
    }
  }
}
