package dev.bitproof.apko;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.Platform;
import dev.bitproof.report.CheckException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArchTest {
  @Test
  void everyArchMapsBackFromItsOwnPlatform() {
    for (Arch a : Arch.values()) {
      assertEquals(Optional.of(a), Arch.of(a.platform()), a.name());
    }
  }

  @Test
  void platformSpellingsDockerWritesMapAsApkoDoes() {
    assertEquals(Optional.of(Arch.AMD64), Arch.of(Platform.parse("linux/amd64")));
    assertEquals(Optional.of(Arch.ARM64), Arch.of(Platform.parse("linux/arm64/v8")));
    assertEquals(Optional.of(Arch.ARMV6), Arch.of(Platform.parse("linux/arm/v6")));
    assertEquals(Optional.of(Arch.ARMV7), Arch.of(Platform.parse("linux/arm/v7")));
    assertEquals(Optional.of(Arch.ARMV7), Arch.of(Platform.parse("linux/arm")), "a bare arm is v7");
    assertEquals(Optional.of(Arch.X86), Arch.of(Platform.parse("linux/386")));
    assertTrue(Arch.of(Platform.parse("linux/mips64le")).isEmpty());
    assertTrue(Arch.of(Platform.parse("linux/arm/v5")).isEmpty());
  }

  @Test
  void parseAcceptsBothSpellingsSortsAndDeduplicates() {
    assertEquals(List.of(Arch.AMD64, Arch.ARMV7, Arch.ARM64), Arch.parseAll(List.of("aarch64", "arm/v7", "x86_64", "amd64")));
    CheckException e = assertThrows(CheckException.class, () -> Arch.parse("sparc"));
    assertEquals(ApkoCode.APKO_ARCH_UNKNOWN, e.code());
  }
}
