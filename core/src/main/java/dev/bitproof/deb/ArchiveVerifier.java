package dev.bitproof.deb;

import dev.bitproof.io.Decompress;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.bouncycastle.openpgp.PGPSignature;

/**
 * Debian's archive trust chain as apt walks it: a signed {@code InRelease} (or {@code Release} +
 * {@code Release.gpg}) → the {@code SHA256:} line of a {@code Packages} index → the stanza's {@code SHA256:} and
 * {@code Size:} of each {@code .deb}. Only SHA-256 is trusted.
 */
public final class ArchiveVerifier {
  /** Packages indexes are tens of MB; anything decompressing past this is a bomb. */
  public static final long MAX_PACKAGES_BYTES = 2L << 30;

  /**
   * @param suite if present, the Release's Suite or Codename must equal it (apt checks the sources entry)
   * @param component if present, only {@code <component>/binary-*} indexes are accepted
   * @param architecture if present, only {@code *}/binary-{@code <arch>} indexes are accepted
   * @param maxFutureDate how far a Release {@code Date:} may be ahead of {@code now}
   */
  public record Options(PgpVerifier.Policy policy, Optional<String> suite, Optional<String> component,
      Optional<String> architecture, Duration maxFutureDate) {
    public static Options at(java.time.Instant now) {
      return new Options(PgpVerifier.Policy.at(now), Optional.empty(), Optional.empty(), Optional.empty(),
          Duration.ofMinutes(10));
    }

    public Options withSuite(String s) {
      return new Options(policy, Optional.ofNullable(s), component, architecture, maxFutureDate);
    }

    public Options withComponent(String c) {
      return new Options(policy, suite, Optional.ofNullable(c), architecture, maxFutureDate);
    }

    public Options withArchitecture(String a) {
      return new Options(policy, suite, component, Optional.ofNullable(a), maxFutureDate);
    }
  }

  /** A Release file with its signature verdict and date checks. Only a {@link #trusted()} one anchors indexes. */
  public record VerifiedRelease(String name, Release release, PgpVerifier.Verdict verdict, List<Finding> findings) {
    public VerifiedRelease {
      findings = List.copyOf(findings);
    }

    public boolean trusted() {
      return findings.stream().noneMatch(Finding::fails);
    }
  }

  /** A Packages index proven by a trusted Release, or only the findings that say why not. */
  public record LoadedIndex(Optional<PackagesIndex> index, List<Finding> findings) {
    public LoadedIndex {
      findings = List.copyOf(findings);
    }
  }

  private ArchiveVerifier() {}

  /** Verifies a cleartext-signed {@code InRelease}. */
  public static VerifiedRelease verifyInRelease(byte[] inRelease, String name, PgpKeyring keyring, Options o) {
    ClearSigned cs = ClearSigned.parse(inRelease, name);
    PgpVerifier.Verdict v = PgpVerifier.verify(cs.signatures(), cs.signedBytes(), keyring, o.policy());
    return finish(name, Release.parse(cs.content(), name), v, o);
  }

  /** Verifies {@code Release} with its detached {@code Release.gpg}. */
  public static VerifiedRelease verifyDetached(byte[] release, byte[] signature, String name, PgpKeyring keyring,
      Options o) {
    List<PGPSignature> sigs = ClearSigned.readSignatures(signature, name + ".gpg");
    PgpVerifier.Verdict v = PgpVerifier.verify(sigs, release, keyring, o.policy());
    return finish(name, Release.parse(release, name), v, o);
  }

  private static VerifiedRelease finish(String name, Release r, PgpVerifier.Verdict v, Options o) {
    List<Finding> f = new ArrayList<>(v.findings(name));
    java.time.Instant now = o.policy().now();
    r.validUntil().ifPresent(vu -> {
      if (now.isAfter(vu)) {
        f.add(new Finding(DebCode.DEB_RELEASE_EXPIRED, Severity.FAIL, name, "the Release expired (Valid-Until is past)", null)
            .with("validUntil", vu).with("now", now));
      }
    });
    r.date().ifPresent(d -> v.signatures().stream()
        .filter(s -> s.status() == SignatureCheck.Status.BAD && s.created() != null && s.created().isBefore(d))
        .findFirst().ifPresent(s -> f.add(new Finding(DebCode.DEB_RELEASE_SIGNATURE_STALE, Severity.FAIL, name,
            "the bad signature was made before the Release's Date: a stale detached signature served next to a newer"
                + " Release (the non-atomic pair InRelease avoids)", null)
            .with("signatureCreated", s.created()).with("releaseDate", d))));
    r.date().ifPresent(d -> {
      if (d.isAfter(now.plus(o.maxFutureDate()))) {
        f.add(new Finding(DebCode.DEB_RELEASE_FROM_FUTURE, Severity.FAIL, name, "the Release Date is in the future", null)
            .with("date", d).with("now", now));
      }
    });
    o.suite().ifPresent(s -> {
      if (!s.equals(r.suite()) && !s.equals(r.codename())) {
        f.add(new Finding(DebCode.DEB_RELEASE_SUITE_MISMATCH, Severity.FAIL, name, "the Release is for another suite", null)
            .with("expected", s).with("suite", r.suite()).with("codename", r.codename()));
      }
    });
    if (r.sha256().isEmpty()) {
      f.add(Finding.fail(DebCode.DEB_RELEASE_NO_SHA256, name, "the Release lists no SHA256 hashes (MD5Sum/SHA1 are never trusted)"));
    }
    boolean ok = f.stream().noneMatch(Finding::fails);
    Finding summary = ok
        ? new Finding(DebCode.DEB_RELEASE_TRUSTED, Severity.OK, name, "signed by the keyring and current", null)
        : new Finding(DebCode.DEB_RELEASE_UNTRUSTED, Severity.FAIL, name, "the Release cannot anchor any index", null);
    summary = summary.with("suite", r.suite()).with("codename", r.codename());
    if (r.date().isPresent()) {
      summary = summary.with("date", r.date().get());
    }
    if (r.validUntil().isPresent()) {
      summary = summary.with("validUntil", r.validUntil().get());
    }
    f.add(summary.with("signers", String.join(", ", v.signatures().stream().filter(SignatureCheck::good)
        .map(s -> s.signingKey() + " " + s.userId()).toList())));
    return new VerifiedRelease(name, r, v, f);
  }

  /**
   * Checks a Packages file ({@code .xz}, {@code .gz} or plain) against the trusted releases: by its SHA-256 and
   * size among their {@code SHA256:} lines (apt's by-hash view; the file name need not match), then the
   * decompressed bytes against the uncompressed {@code Packages} line when the Release lists it.
   */
  public static LoadedIndex loadPackages(Path file, List<VerifiedRelease> releases, Options o,
      Predicate<String> keepParagraph) throws IOException {
    String name = file.getFileName().toString();
    Digest sha;
    long size;
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = Digest.newSha256();
      size = in.transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), md));
      sha = Digest.sha256(md);
    }
    List<Finding> f = new ArrayList<>();
    VerifiedRelease matchedRelease = null;
    Release.IndexFile matched = null;
    for (VerifiedRelease vr : releases) {
      if (!vr.trusted()) {
        continue;
      }
      for (Release.IndexFile e : vr.release().sha256()) {
        if (e.size() == size && e.sha256().equals(sha) && isPackagesPath(e.path()) && selected(e.path(), o)) {
          matched = e;
          matchedRelease = vr;
          break;
        }
      }
      if (matched != null) {
        break;
      }
    }
    if (matched == null) {
      // name the line it should have matched, when the file name or the selection says which
      for (VerifiedRelease vr : releases) {
        for (Release.IndexFile e : vr.release().sha256()) {
          if (isPackagesPath(e.path()) && selected(e.path(), o) && name.endsWith(e.path().replace('/', '_'))) {
            if (e.sha256().equals(sha) && e.size() == size) {
              f.add(new Finding(DebCode.DEB_PACKAGES_RELEASE_UNTRUSTED, Severity.FAIL, name,
                  "only a Release that is not trusted lists this Packages file", null)
                  .with("release", vr.name()).with("path", e.path()).with("sha256", sha));
              return new LoadedIndex(Optional.empty(), f);
            }
            f.add(new Finding(DebCode.DEB_PACKAGES_HASH_MISMATCH, Severity.FAIL, name,
                "the Packages file differs from the one the Release signs", null)
                .with("release", vr.name()).with("path", e.path()).with("expectedSha256", e.sha256())
                .with("actualSha256", sha).with("expectedSize", e.size()).with("actualSize", size)
                .with("releaseTrusted", vr.trusted()));
            return new LoadedIndex(Optional.empty(), f);
          }
        }
      }
      f.add(new Finding(DebCode.DEB_PACKAGES_NOT_IN_RELEASE, Severity.FAIL, name,
          "no trusted Release lists a Packages file with this SHA256 and size", null)
          .with("sha256", sha).with("size", size)
          .with("trustedReleases", releases.stream().filter(VerifiedRelease::trusted).map(VerifiedRelease::name).toList()));
      return new LoadedIndex(Optional.empty(), f);
    }
    f.add(new Finding(DebCode.DEB_PACKAGES_IN_RELEASE, Severity.OK, name, "SHA256 and size match the signed Release", null)
        .with("release", matchedRelease.name()).with("path", matched.path()).with("sha256", sha).with("size", size));
    String[] parts = matched.path().split("/");
    String component = parts.length >= 3 ? String.join("/", java.util.Arrays.copyOf(parts, parts.length - 2)) : "";
    String arch = parts.length >= 2 && parts[parts.length - 2].startsWith("binary-")
        ? parts[parts.length - 2].substring("binary-".length()) : "";
    String plainPath = matched.path().replaceFirst("\\.(xz|gz|bz2|zst|lzma)$", "");
    Optional<Release.IndexFile> plain = matchedRelease.release().file(plainPath);
    String suite = matchedRelease.release().suite().isEmpty() ? matchedRelease.release().codename()
        : matchedRelease.release().suite();
    String origin = matchedRelease.name() + " " + matched.path();
    MessageDigest plainMd = Digest.newSha256();
    PackagesIndex index;
    long plainSize;
    try (InputStream raw = Files.newInputStream(file);
        InputStream dec = Decompress.open(Decompress.Format.bySuffix(matched.path()), raw, MAX_PACKAGES_BYTES, 1000, name);
        Decompress.CountingInputStream counted = new Decompress.CountingInputStream(
            new DigestInputStream(dec, plainMd))) {
      index = PackagesIndex.parse(counted, origin, suite, component, arch, keepParagraph);
      counted.transferTo(java.io.OutputStream.nullOutputStream());
      plainSize = counted.count();
    }
    Digest plainSha = Digest.sha256(plainMd);
    if (plain.isPresent() && !plainPath.equals(matched.path())) {
      if (!plain.get().sha256().equals(plainSha) || plain.get().size() != plainSize) {
        f.add(new Finding(DebCode.DEB_PACKAGES_UNCOMPRESSED_MISMATCH, Severity.FAIL, name,
            "the decompressed index differs from the uncompressed Packages line of the Release", null)
            .with("path", plainPath).with("expectedSha256", plain.get().sha256()).with("actualSha256", plainSha));
        return new LoadedIndex(Optional.empty(), f);
      }
      f.add(new Finding(DebCode.DEB_PACKAGES_UNCOMPRESSED_OK, Severity.OK, name,
          "the decompressed index matches the uncompressed Packages line too", null)
          .with("path", plainPath).with("sha256", plainSha).with("size", plainSize));
    }
    f.add(new Finding(DebCode.DEB_PACKAGES_PARSED, Severity.INFO, name, index.entries().size() + " stanzas", null)
        .with("suite", suite).with("component", component).with("architecture", arch));
    return new LoadedIndex(Optional.of(index), f);
  }

  static boolean isPackagesPath(String path) {
    return path.matches(".*/binary-[^/]+/Packages(\\.(xz|gz|bz2|zst))?");
  }

  private static boolean selected(String path, Options o) {
    if (o.component().isPresent() && !path.startsWith(o.component().get() + "/binary-")) {
      return false;
    }
    return o.architecture().isEmpty() || path.contains("/binary-" + o.architecture().get() + "/");
  }

  /**
   * Finds the archive stanza for a package identity and compares the deb's SHA-256 and size:
   * {@code DEB_IN_ARCHIVE}, {@code DEB_ARCHIVE_HASH_MISMATCH} or {@code DEB_NOT_IN_ARCHIVE}.
   */
  public static Finding checkDeb(String subject, String pkg, String version, String arch, Digest sha256, long size,
      List<PackagesIndex> indexes) {
    List<String> searched = new ArrayList<>();
    for (PackagesIndex idx : indexes) {
      searched.add(idx.origin());
      for (PackagesIndex.Entry e : idx.named(pkg)) {
        if (!e.version().equals(version) || !e.architecture().equals(arch)) {
          continue;
        }
        if (e.sha256().equals(sha256) && e.size() == size) {
          return new Finding(DebCode.DEB_IN_ARCHIVE, Severity.OK, subject, "SHA256 and size match the signed Packages entry", null)
              .with("index", idx.origin()).with("filename", e.filename()).with("sha256", sha256).with("size", size);
        }
        return new Finding(DebCode.DEB_ARCHIVE_HASH_MISMATCH, Severity.FAIL, subject,
            "the archive has " + pkg + " " + version + " " + arch + " with other bytes", null)
            .with("index", idx.origin()).with("filename", e.filename()).with("expectedSha256", e.sha256())
            .with("actualSha256", sha256).with("expectedSize", e.size()).with("actualSize", size);
      }
    }
    return new Finding(DebCode.DEB_NOT_IN_ARCHIVE, Severity.FAIL, subject,
        pkg + " " + version + " " + arch + " is in none of the verified Packages indexes", null)
        .with("sha256", sha256).with("searched", searched);
  }

}
