package dev.bitproof.rebuild;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.apk.ApkPackage;
import dev.bitproof.apk.PkgInfo;
import dev.bitproof.apk.ApkKeyring;
import dev.bitproof.apk.ApkVerifier;
import dev.bitproof.report.Finding;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Severity;
import dev.bitproof.tar.TarEntryInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Fetch-and-verify for one package: reads the {@code .apk} once, streaming (the data tar's files are kept in
 * memory for the rootfs), and checks the chain apko relies on plus the signature apko skips:
 * Q1 (SHA-1 of the control stream) against what the lock or index pinned, {@code datahash} against the data
 * stream, every file against its PAX SHA-1, and the {@code .SIGN} signature against the keyring.
 */
public final class PackageLoader {
  private PackageLoader() {}

  /**
   * What a package signature that does not verify (unsigned, unknown key, bad signature) does. apko never checks
   * them; we always do, and the finding is always kept on the package: the policy only decides whether the build
   * stops and how much the finding weighs.
   */
  public enum SignaturePolicy {
    /** The build stops at the first such package, with the finding's code (the build's default). */
    REQUIRE,
    /** The build goes on; the finding stays a FAIL on the package (verify: the image is explained, the report fails). */
    REPORT,
    /** The build goes on; the finding is kept as a WARN ({@code --allow-untrusted-packages}). */
    RELAX
  }

  /**
   * @param expectedQ1 the Q1 the lock file or the APKINDEX pinned (empty: not pinned)
   */
  public static PackageContent load(InputStream apk, String subject, Optional<String> expectedQ1, ApkKeyring keyring,
      SignaturePolicy policy) throws IOException {
    return load(apk, subject, expectedQ1, keyring, policy, null);
  }

  /**
   * As {@link #load(InputStream, String, Optional, ApkKeyring, SignaturePolicy)}, with each file of at least
   * {@link Spill#MIN_SPILL} bytes written to {@code spill} as it is read instead of kept on the heap (null: keep all).
   */
  static PackageContent load(InputStream apk, String subject, Optional<String> expectedQ1, ApkKeyring keyring,
      SignaturePolicy policy, Spill spill) throws IOException {
    List<TarEntryInfo> entries = new ArrayList<>();
    java.util.Map<Integer, MemFs.Content> spilled = new java.util.HashMap<>();
    ApkPackage pkg = ApkPackage.read(apk, subject, ApkPackage.Limits.defaults(), new ApkPackage.DataVisitor() {
      /** The spill's content for the file being read (written now, or already there), and the SHA-1 it has. */
      private MemFs.Content streamed;
      private Spill.Writer writer;
      private String knownSha1;

      @Override
      public boolean keep(String path, long size) {
        return true;
      }

      @Override
      public OutputStream stream(String path, long size, Optional<String> recordedSha1) {
        streamed = null;
        writer = null;
        knownSha1 = null;
        if (spill == null || size < Spill.MIN_SPILL) {
          return null;
        }
        Optional<MemFs.Content> known = recordedSha1.flatMap(h -> spill.known(h, size));
        if (known.isPresent()) {
          // stored once: these bytes are still read and hashed, and used only if they have that SHA-1
          streamed = known.get();
          knownSha1 = recordedSha1.get();
          return OutputStream.nullOutputStream();
        }
        writer = spill.writer(size);
        return writer;
      }

      @Override
      public void entry(TarEntryInfo entry) {
        if (writer != null) {
          MemFs.Content c = writer.content();
          entry.sha1Hex().ifPresent(h -> spill.remember(h, c));
          spilled.put(entry.index(), c);
          entries.add(entry);
        } else if (streamed != null) {
          if (entry.sha1Hex().filter(knownSha1::equals).isEmpty()) {
            // not the recorded bytes: the package's file check below refuses it (APK_FILE_CHECKSUM_MISMATCH)
            entries.add(entry);
          } else {
            spilled.put(entry.index(), streamed);
            entries.add(entry);
          }
        } else if (spill != null && entry.content().isPresent() && entry.content().get().length >= Spill.MIN_SPILL) {
          spilled.put(entry.index(), spill.put(entry.content().get()));
          entries.add(withoutContent(entry));
        } else {
          entries.add(entry);
        }
        writer = null;
        streamed = null;
      }
    });
    return toContent(pkg, entries, spilled, subject, expectedQ1, keyring, policy);
  }

  public static PackageContent load(byte[] apk, String subject, Optional<String> expectedQ1, ApkKeyring keyring,
      SignaturePolicy policy) throws IOException {
    return load(new ByteArrayInputStream(apk), subject, expectedQ1, keyring, policy);
  }

  private static TarEntryInfo withoutContent(TarEntryInfo e) {
    return new TarEntryInfo(e.index(), e.path(), e.rawName(), e.type(), e.mode(), e.uid(), e.gid(), e.uname(),
        e.gname(), e.size(), e.mtimeSeconds(), e.linkTarget(), e.devMajor(), e.devMinor(), e.paxHeaders(), e.sha256(),
        e.sha1Hex(), e.md5Hex(), Optional.empty());
  }

  private static PackageContent toContent(ApkPackage pkg, List<TarEntryInfo> data,
      java.util.Map<Integer, MemFs.Content> spilled, String subject,
      Optional<String> expectedQ1, ApkKeyring keyring, SignaturePolicy policy) {
    String q1 = pkg.checksum();
    if (expectedQ1.isPresent() && !expectedQ1.get().equals(q1)) {
      throw CheckException.integrity(ApkCode.APK_CHECKSUM_MISMATCH, subject,
          "control stream checksum is " + q1 + ", but " + expectedQ1.get() + " was pinned");
    }
    List<Finding> findings = new ArrayList<>();
    Finding signature = ApkVerifier.packageSignature(pkg, keyring, subject);
    if (!signature.fails()) {
      findings.add(signature);
    } else {
      switch (policy) {
        case REQUIRE -> throw stop(signature);
        case REPORT -> findings.add(signature);
        case RELAX -> findings.add(new Finding(signature.code(), Severity.WARN, signature.subject(),
            signature.message() + " (allowed: --allow-untrusted-packages)", signature.evidence())
            .with("relaxedBy", "allow-untrusted-packages"));
      }
    }
    // the content itself must match what the control stream vouches for, whatever the signature policy
    Finding datahash = ApkVerifier.datahash(pkg, subject);
    if (datahash.fails()) {
      throw stop(datahash);
    }
    findings.add(datahash);
    List<Finding> files = ApkVerifier.files(pkg, subject);
    if (!files.isEmpty()) {
      throw stop(files.get(0));
    }
    PkgInfo i = pkg.pkgInfo();
    return new PackageContent(i.name(), i.version(), i.arch(), i.license(), i.description(), i.origin(),
        i.maintainer(), i.url(), i.depends(), i.provides(), i.replaces(), i.commit(), i.installIf(), i.buildDate(),
        pkg.size(), i.installedSize(), i.providerPriority(), i.triggers(), pkg.control().sha1(), pkg.controlEntries(),
        data, new PackageContent.Streams(pkg.signature().map(x -> x.offset()).orElse(0L),
            pkg.signature().map(x -> x.length()).orElse(0L), pkg.signature().map(x -> x.sha1()).orElse(new byte[0]),
            pkg.control().offset(), pkg.control().length(), pkg.data().offset(), pkg.data().length(),
            pkg.data().sha256()), spilled, findings);
  }

  private static CheckException stop(Finding f) {
    return CheckException.integrity(f.code(), f.subject(), f.message() + (f.evidence().isEmpty() ? "" : " " + f.evidence()));
  }

}
