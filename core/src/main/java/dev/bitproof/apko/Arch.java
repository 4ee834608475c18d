package dev.bitproof.apko;

import dev.bitproof.oci.Platform;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * An apko architecture: its OCI name ({@code amd64}, {@code arm/v7}) and its apk name ({@code x86_64},
 * {@code armv7}). apko's {@code ParseArchitecture} accepts both spellings.
 */
public enum Arch {
  X86("386", "x86"),
  AMD64("amd64", "x86_64"),
  ARM64("arm64", "aarch64"),
  ARMV6("arm/v6", "armhf"),
  ARMV7("arm/v7", "armv7"),
  LOONG64("loong64", "loongarch64"),
  PPC64LE("ppc64le", "ppc64le"),
  RISCV64("riscv64", "riscv64"),
  S390X("s390x", "s390x");

  private final String oci;
  private final String apk;

  Arch(String oci, String apk) {
    this.oci = oci;
    this.apk = apk;
  }

  /** The OCI spelling, as apko writes it in {@code /etc/apko.json} and sorts the index by. */
  public String oci() {
    return oci;
  }

  /** The apk spelling ({@code /etc/apk/arch}, repository folders). */
  public String apk() {
    return apk;
  }

  public Platform platform() {
    return switch (this) {
      case ARMV6 -> Platform.of("linux", "arm", "v6");
      case ARMV7 -> Platform.of("linux", "arm", "v7");
      default -> Platform.of("linux", oci, "");
    };
  }

  /**
   * The arch of an OCI platform, the one table for both directions: {@code arm} is {@code arm/v7} unless the
   * variant says {@code v6} (a missing variant means v7, as Docker and Go's default GOARM do); {@code arm64}
   * ignores its variant ({@code v8}); the OS is not looked at. Empty for a platform apk has no name for.
   */
  public static Optional<Arch> of(Platform p) {
    String variant = p.variant();
    for (Arch a : values()) {
      Platform ap = a.platform();
      if (!ap.architecture().equals(p.architecture())) {
        continue;
      }
      if (ap.variant().isEmpty() || ap.variant().equals(variant) || a == ARMV7 && variant.isEmpty()) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** Parses either spelling; anything else is {@code APKO_ARCH_UNKNOWN}. */
  public static Arch parse(String s) {
    for (Arch a : values()) {
      if (a.oci.equals(s) || a.apk.equals(s)) {
        return a;
      }
    }
    throw CheckException.usage(ApkoCode.APKO_ARCH_UNKNOWN, "unknown architecture '" + s
        + "' (known: 386/x86, amd64/x86_64, arm64/aarch64, arm/v6/armhf, arm/v7/armv7, loong64/loongarch64, ppc64le, riscv64, s390x)");
  }

  /** De-duplicated and sorted by OCI name, as apko's {@code ParseArchitectures}. */
  public static List<Arch> parseAll(List<String> in) {
    TreeSet<String> names = new TreeSet<>();
    List<Arch> out = new ArrayList<>();
    for (String s : in) {
      Arch a = parse(s);
      if (names.add(a.oci)) {
        out.add(a);
      }
    }
    out.sort((a, b) -> a.oci.compareTo(b.oci));
    return out;
  }
}
