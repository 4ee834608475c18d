package dev.bitproof.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.apk.db.ApkInstalledDb;
import dev.bitproof.apko.Arch;
import dev.bitproof.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** etc/apko.json against the installed database, in words: every contradiction is named. */
class ImageRecipeTest {
  static final ApkInstalledDb DB = ApkInstalledDb.parse(("P:base\nV:1.0-r0\nA:x86_64\n\nP:app\nV:2.0-r1\nA:x86_64\n\n")
      .getBytes(StandardCharsets.UTF_8), "installed");

  static List<String> problems(String json) {
    return ImageRecipe.consistency((ObjectNode) Json.parse(json.getBytes(StandardCharsets.UTF_8), "apko.json"), DB,
        Arch.AMD64);
  }

  @Test
  void theLockedClosureMustBeExactlyWhatIsInstalled() {
    assertEquals(List.of(), problems("{\"contents\":{\"packages\":[\"app=2.0-r1\",\"base=1.0-r0\"]},\"archs\":[\"amd64\"]}"));
    assertEquals(List.of("app is pinned to 2.0-r2 but 2.0-r1 is installed"),
        problems("{\"contents\":{\"packages\":[\"app=2.0-r2\",\"base=1.0-r0\"]}}"));
    assertEquals(List.of("base=1.0-r0 is installed but not in its pinned package list"),
        problems("{\"contents\":{\"packages\":[\"app=2.0-r1\"]}}"));
    assertEquals(List.of("extra=1 is not installed"),
        problems("{\"contents\":{\"packages\":[\"app=2.0-r1\",\"base=1.0-r0\",\"extra=1\"]}}"));
  }

  @Test
  void unlockedConstraintsOnlyNeedTheirPackageInstalled() {
    // apko before v0.22.2 wrote the config's constraints, not the closure
    assertEquals(List.of(), problems("{\"contents\":{\"packages\":[\"app\"]},\"archs\":[\"x86_64\",\"aarch64\"]}"));
    assertEquals(List.of("ghost>=1 is not installed"), problems("{\"contents\":{\"packages\":[\"app\",\"ghost>=1\"]}}"));
  }

  @Test
  void anotherArchitectureIsNamed() {
    assertEquals(List.of("archs [\"arm64\"] does not include amd64"),
        problems("{\"contents\":{\"packages\":[\"app\"]},\"archs\":[\"arm64\"]}"));
  }
}
