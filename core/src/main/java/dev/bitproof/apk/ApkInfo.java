package dev.bitproof.apk;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bitproof.io.IoCode;
import dev.bitproof.io.UserFiles;
import dev.bitproof.json.JsonBody;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code apk info}: what an APK or APKINDEX says about itself (the body of {@code docs/schema/apk-info.json}). The
 * index fields ({@code description}, {@code packages}, {@code signedFrom}) are absent for a package and the package
 * fields for an index; {@code findings} are present only when a keyring was given to verify the signer.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApkInfo(String file, String kind, String description, Integer packages, Long signedFrom, String name,
    String version, String arch, String checksum, Long size, String datahash, String dataSha256, String datahashMatches,
    Map<String, Stream> streams, Long dataFiles, List<Signature> signatures, Map<String, Object> pkginfo,
    List<String> controlEntries, List<Finding> findings) implements JsonBody {

  /** One gzip stream of a package: where it lies and its hashes (hex). */
  public record Stream(long offset, long length, String sha1, String sha256, long uncompressed) {
    static Stream of(GzipMembers.Section s) {
      return new Stream(s.offset(), s.length(), HexFormat.of().formatHex(s.sha1()), HexFormat.of().formatHex(s.sha256()),
          s.uncompressedSize());
    }
  }

  /** A signature entry: the key file it names, the algorithm and its size. */
  public record Signature(String key, String algorithm, int bytes) {
    static List<Signature> of(List<SignatureEntry> sigs) {
      return sigs.stream().map(s -> new Signature(s.keyName(), s.algorithm(), s.signature().length)).toList();
    }
  }

  /** FAIL when the keyring's verification failed, else PASS. */
  public Outcome outcome() {
    return findings == null ? Outcome.PASS : Outcome.of(findings);
  }

  private static final List<String> REPEATABLE = List.of("depend", "provides", "replaces", "install_if", "triggers");

  /** Reads {@code file} (an index when named APKINDEX*), and verifies its signer when {@code keyring} is given. */
  public static ApkInfo read(Path file, Optional<Path> keyring) throws IOException {
    UserFiles.requireFile(file, IoCode.FILE_NOT_FOUND);
    Optional<ApkKeyring> keys = keyring.isEmpty() ? Optional.empty() : Optional.of(ApkKeyring.load(keyring.get()));
    List<Finding> findings = new ArrayList<>();
    String f = file.toString();
    if (ApkVerification.isIndex(file)) {
      ApkIndex idx = ApkIndex.read(file);
      keys.ifPresent(k -> findings.add(ApkVerifier.verify(idx, k, f)));
      return new ApkInfo(f, "apkindex", idx.description(), idx.packages().size(),
          idx.signature().map(GzipMembers.Section::end).orElse(null), null, null, null, null, null, null, null, null,
          null, null, Signature.of(idx.signatures()), null, null, keys.isPresent() ? findings : null);
    }
    ApkPackage p = ApkPackage.read(file);
    keys.ifPresent(k -> findings.addAll(ApkVerifier.verify(p, k, f)));
    Map<String, Stream> streams = new LinkedHashMap<>();
    p.signature().ifPresent(s -> streams.put("signature", Stream.of(s)));
    streams.put("control", Stream.of(p.control()));
    streams.put("data", Stream.of(p.data()));
    Map<String, Object> pkginfo = new LinkedHashMap<>();
    p.pkgInfo().asMap().forEach((k, v) -> pkginfo.put(k, v.size() == 1 && !REPEATABLE.contains(k) ? v.get(0) : v));
    return new ApkInfo(f, "apk", null, null, null, p.name(), p.version(), p.pkgInfo().arch(), p.checksum(), p.size(),
        p.pkgInfo().datahash().orElse(""), p.dataSha256Hex(), p.datahashMatches().map(String::valueOf).orElse("absent"),
        streams, p.dataFiles(), Signature.of(p.signatures()), pkginfo,
        p.controlEntries().stream().map(e -> e.path()).toList(), keys.isPresent() ? findings : null);
  }
}
