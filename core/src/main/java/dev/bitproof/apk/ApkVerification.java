package dev.bitproof.apk;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.JsonBody;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Outcome;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code apk verify}: APK packages and APKINDEX files, each checked against a keyring on its own, then every package
 * named by a given index cross-checked against its stanza. A file that cannot be read is an ERROR item, never a
 * reason to stop checking the others.
 */
public final class ApkVerification {
  private ApkVerification() {}

  /**
   * The document body of {@code apk verify} ({@code docs/schema/apk-verify.json}).
   *
   * @param keyring the keyring directory as given
   * @param trustedKeys how many keys it held
   */
  public record Result(String keyring, int trustedKeys, List<FileResult> files) implements JsonBody {
    public Result {
      files = List.copyOf(files);
    }

    /** FAIL when a file failed; else ERROR when one could not be checked; else PASS. */
    public Outcome outcome() {
      return files.stream().anyMatch(f -> f.result() == Outcome.FAIL) ? Outcome.FAIL
          : files.stream().anyMatch(f -> f.result() == Outcome.ERROR) ? Outcome.ERROR : Outcome.PASS;
    }
  }

  /** One file's verdict; {@code signer} is the trusted key whose signature verified (absent when none did). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FileResult(String file, String kind, Outcome result, String signer, List<Finding> findings) {
    public FileResult {
      findings = List.copyOf(findings);
    }
  }

  /** A file is an index when its name says so (APKINDEX*.tar.gz), otherwise a package. */
  public static boolean isIndex(Path p) {
    return p.getFileName().toString().startsWith("APKINDEX");
  }

  public static Result verify(Path keyringDir, List<Path> files) throws IOException {
    ApkKeyring keys = ApkKeyring.load(keyringDir);
    List<Checked> checked = new ArrayList<>();
    List<ApkIndex> indexes = new ArrayList<>();
    for (Path f : files) {
      checked.add(verifyOne(f, keys, indexes));
    }
    // packages named by a given index are cross-checked against its stanza
    for (Checked c : checked) {
      if (c.pkg == null) {
        continue;
      }
      ApkPackage p = c.pkg;
      for (ApkIndex idx : indexes) {
        for (IndexEntry e : idx.byName(p.name())) {
          if (e.version().equals(p.version()) && (e.arch().isEmpty() || e.arch().equals(p.pkgInfo().arch()))) {
            c.findings.addAll(ApkVerifier.crossCheck(e, p, c.file.toString()));
          }
        }
      }
    }
    return new Result(keyringDir.toString(), keys.size(), checked.stream().map(Checked::result).toList());
  }

  private static final class Checked {
    final Path file;
    final String kind;
    final List<Finding> findings = new ArrayList<>();
    boolean cannotCheck;
    ApkPackage pkg;

    Checked(Path file, String kind) {
      this.file = file;
      this.kind = kind;
    }

    FileResult result() {
      boolean fails = findings.stream().anyMatch(Finding::fails);
      String signer = cannotCheck ? null : findings.stream().filter(x -> ApkCode.SIGNATURE_VERIFIED.contains(x.code()))
          .map(x -> x.evidence().get("key")).findFirst().orElse(null);
      return new FileResult(file.toString(), kind, fails ? Outcome.FAIL : cannotCheck ? Outcome.ERROR : Outcome.PASS,
          signer, findings);
    }
  }

  private static Checked verifyOne(Path f, ApkKeyring keys, List<ApkIndex> indexes) {
    Checked c = new Checked(f, isIndex(f) ? "apkindex" : "apk");
    if (!Files.isRegularFile(f)) {
      c.findings.add(Files.isDirectory(f)
          ? Finding.of(IoCode.FILE_IS_DIRECTORY, Severity.INFO, f.toString(), "is a directory, not a package or index")
          : Finding.of(IoCode.FILE_NOT_FOUND, Severity.INFO, f.toString(), "no such file"));
      c.cannotCheck = true;
      return c;
    }
    try {
      if (isIndex(f)) {
        ApkIndex idx = ApkIndex.read(f);
        indexes.add(idx);
        c.findings.add(ApkVerifier.verify(idx, keys, f.toString()));
      } else {
        ApkPackage p = ApkPackage.read(f);
        c.pkg = p;
        c.findings.addAll(ApkVerifier.verify(p, keys, f.toString()));
      }
    } catch (CheckException e) {
      if (e.kind() == CheckException.Kind.INTEGRITY) {
        c.findings.add(Finding.fail(e.code(), f.toString(), e.getMessage()));
      } else {
        c.findings.add(Finding.of(e.code(), Severity.INFO, f.toString(), "could not check: " + e.getMessage()));
        c.cannotCheck = true;
      }
    } catch (IOException e) {
      c.findings.add(Finding.of(IoCode.IO_ERROR, Severity.INFO, f.toString(), "could not read: " + e.getMessage()));
      c.cannotCheck = true;
    }
    return c;
  }
}
