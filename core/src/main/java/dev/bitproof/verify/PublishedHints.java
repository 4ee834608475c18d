package dev.bitproof.verify;

import dev.bitproof.apko.Arch;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.report.CheckException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What apko takes from its command line rather than from apko.yaml, read back from the published image so a
 * rebuild can use the same values: the build date ({@code SOURCE_DATE_EPOCH}), the annotations
 * ({@code --annotations}) and the architectures ({@code --arch}). Each value says where it came from, for the
 * report.
 *
 * @param sourceDateEpoch seconds since the epoch
 * @param annotations index (or manifest) annotations without the ones apko adds itself
 * @param archs apk architecture names (x86_64, aarch64 …) in index order
 * @param buildDateNote where {@code sourceDateEpoch} came from, when it is present
 * @param notes one sentence per other value taken from the published image
 */
public record PublishedHints(OptionalLong sourceDateEpoch, Map<String, String> annotations, List<String> archs,
    Optional<String> buildDateNote, List<String> notes) {
  static final String CREATED = "org.opencontainers.image.created";

  public PublishedHints {
    annotations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    archs = List.copyOf(archs);
    notes = List.copyOf(notes);
  }

  public static PublishedHints from(Images.Tree published) {
    List<String> notes = new ArrayList<>();
    Optional<String> buildDateNote = Optional.empty();
    // sorted: the parsed maps do not keep document order, and a report must read the same every run
    Map<String, String> ann = new java.util.TreeMap<>(published.index().map(i -> i.annotations())
        .orElseGet(() -> published.images().get(0).manifest().annotations()));
    String where = published.index().isPresent() ? "index" : "manifest";
    String created = ann.remove(CREATED);
    OptionalLong epoch = OptionalLong.empty();
    if (created != null) {
      epoch = OptionalLong.of(parse(created, where + " annotation " + CREATED));
      buildDateNote = Optional.of("build date " + created + " (SOURCE_DATE_EPOCH=" + epoch.getAsLong()
          + ") taken from the published " + where + " annotation " + CREATED);
    } else {
      Optional<String> cfgCreated = published.images().get(0).config().created();
      if (cfgCreated.isPresent()) {
        epoch = OptionalLong.of(parse(cfgCreated.get(), "config created"));
        buildDateNote = Optional.of("build date " + cfgCreated.get() + " (SOURCE_DATE_EPOCH=" + epoch.getAsLong()
            + ") taken from the published config's created field");
      }
    }
    if (!ann.isEmpty()) {
      notes.add("annotations " + ann.keySet() + " taken from the published " + where + " (apko --annotations)");
    }
    List<String> archs = new ArrayList<>();
    for (Images.Resolved r : published.images()) {
      Platform p = r.indexEntry().flatMap(Descriptor::platform).orElse(r.config().platform());
      try {
        archs.add(apkArch(p));
      } catch (CheckException e) {
        // a platform apko cannot build: not a hint; the comparison reports it as a platform the rebuild lacks
        notes.add("published platform " + p + " has no apk architecture");
      }
    }
    return new PublishedHints(epoch, ann, archs, buildDateNote, notes);
  }

  private static long parse(String rfc3339, String subject) {
    try {
      return Instant.parse(rfc3339).getEpochSecond();
    } catch (DateTimeParseException e) {
      throw new CheckException(VerifyCode.PUBLISHED_DATE_INVALID, subject, "not an RFC 3339 time: " + rfc3339);
    }
  }

  /** OCI platform → apk arch, as apko maps them ({@link Arch}). */
  public static String apkArch(Platform p) {
    return Arch.of(p).map(Arch::apk).orElseThrow(() -> new CheckException(VerifyCode.PLATFORM_UNSUPPORTED, p.toString(),
        "no apk architecture for platform " + p));
  }
}
