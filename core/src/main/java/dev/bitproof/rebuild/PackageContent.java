package dev.bitproof.rebuild;

import dev.bitproof.report.Finding;
import dev.bitproof.tar.TarEntryInfo;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What installing one APK needs, already verified (Q1 over the control member, datahash over the data member,
 * each file's SHA-1): the {@code .PKGINFO} fields apko copies into the installed database, the control entries
 * (for {@code scripts.tar}) and the data entries with their bytes, in archive order.
 *
 * @param controlSha1 SHA-1 of the raw control gzip member (the Q1 checksum)
 * @param apkSize size of the whole {@code .apk} in bytes (the installed DB {@code S:})
 * @param installedSize {@code size} from .PKGINFO ({@code I:})
 * @param dataEntries data tar entries with contents kept (on the heap, or in {@code spilled})
 * @param spilled contents kept in the build's {@link Spill} instead of the entry, by the entry's index
 * @param findings what was checked on the way: the signature (FAIL or WARN when the policy let it through) and the
 *     datahash, each once, as read
 */
public record PackageContent(String name, String version, String arch, String license, String description,
    String origin, String maintainer, String url, List<String> depends, List<String> provides,
    List<String> replaces, String commit, List<String> installIf, long buildDate, long apkSize, long installedSize,
    long providerPriority, List<String> triggers, byte[] controlSha1, List<TarEntryInfo> controlEntries,
    List<TarEntryInfo> dataEntries, Streams streams, Map<Integer, MemFs.Content> spilled, List<Finding> findings) {

  /**
   * Where the gzip streams sit in the .apk and their hashes (for lock files): offsets/lengths in bytes; the
   * signature stream is absent (length 0) in unsigned packages.
   */
  public record Streams(long sigOffset, long sigLength, byte[] sigSha1, long controlOffset, long controlLength,
      long dataOffset, long dataLength, byte[] dataSha256) {}

  public PackageContent {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    arch = nz(arch);
    license = nz(license);
    description = nz(description);
    origin = nz(origin);
    maintainer = nz(maintainer);
    url = nz(url);
    commit = nz(commit);
    depends = List.copyOf(depends);
    provides = List.copyOf(provides);
    replaces = List.copyOf(replaces);
    installIf = List.copyOf(installIf);
    triggers = List.copyOf(triggers);
    controlEntries = List.copyOf(controlEntries);
    dataEntries = List.copyOf(dataEntries);
    spilled = Map.copyOf(spilled);
    findings = findings == null ? List.of() : List.copyOf(findings);
  }

  /** All contents on the heap. */
  public PackageContent(String name, String version, String arch, String license, String description,
      String origin, String maintainer, String url, List<String> depends, List<String> provides,
      List<String> replaces, String commit, List<String> installIf, long buildDate, long apkSize, long installedSize,
      long providerPriority, List<String> triggers, byte[] controlSha1, List<TarEntryInfo> controlEntries,
      List<TarEntryInfo> dataEntries, Streams streams, List<Finding> findings) {
    this(name, version, arch, license, description, origin, maintainer, url, depends, provides, replaces, commit,
        installIf, buildDate, apkSize, installedSize, providerPriority, triggers, controlSha1, controlEntries,
        dataEntries, streams, Map.of(), findings);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** The same package without its file contents (what is kept once it is installed). */
  public PackageContent withoutData() {
    return new PackageContent(name, version, arch, license, description, origin, maintainer, url, depends, provides,
        replaces, commit, installIf, buildDate, apkSize, installedSize, providerPriority, triggers, controlSha1,
        controlEntries, List.of(), streams, Map.of(), findings);
  }

  /** {@code Q1<base64 sha1(control)>}. */
  public String q1() {
    return "Q1" + Base64.getEncoder().encodeToString(controlSha1);
  }

  /** {@code name-version}. */
  public String id() {
    return name + "-" + version;
  }
}
