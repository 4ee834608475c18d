package dev.bitproof.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.io.IoCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.policy.Policy;
import dev.bitproof.policy.Rule;
import dev.bitproof.report.CheckException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookConfigTest {
  @TempDir
  Path tmp;

  CheckSettings flags() {
    return new CheckSettings("flag-registry:5000", TransportOptions.defaults(), Policy.of(Rule.Profile.PRODUCTION),
        "profile:production", false, Map.of(), List.of(), Optional.empty(), tmp, "test", Optional.empty(), tmp.resolve("w"));
  }

  @Test
  void rulesMatchByGlobFirstWinsAndChangeThePolicyVersion() throws Exception {
    Files.createDirectories(tmp.resolve("web"));
    Files.writeString(tmp.resolve("web/apko.yaml"), "contents: {}\n");
    Files.writeString(tmp.resolve("strict.yaml"), "profile: production\n");
    Path cfg = Files.writeString(tmp.resolve("hook.yaml"), """
        registry: file-registry:5000
        repositories:
          - match: "apps/web"
            config: web/apko.yaml
          - match: "base/**"
            policy: strict.yaml
            enforcePolicy: true
          - match: "tools/*"
            profile: dev
        """);
    CheckSettings s = HookConfig.load(cfg).over(flags());
    assertEquals("file-registry:5000", s.registry());
    assertEquals(Optional.of(tmp.resolve("web/apko.yaml")), s.resolve("apps/web").verify().map(CheckSettings.Mapping::config));
    assertTrue(s.resolve("base/a/b").enforcePolicy());
    assertTrue(s.resolve("base/a/b").policyId().startsWith("file:sha256:"));
    assertEquals("profile:dev", s.resolve("tools/x").policyId());
    assertEquals("profile:production", s.resolve("tools/x/y").policyId(), "* stays within a segment");
    assertFalse(s.resolve("other/x").enforcePolicy());
    assertNotEquals(s.policyVersion("base/a"), s.policyVersion("other/a"));
    assertEquals(s.policyVersion("other/a"), flags().policyVersion("other/a"), "same settings, same version");
  }

  @Test
  void typosAndBadValuesAreRefused() throws Exception {
    for (String bad : List.of("registyr: x\n", "repositories: {}\n", "repositories:\n  - config: a.yaml\n",
        "repositories:\n  - match: a\n    enforce: true\n", "enforcePolicy: yes please\n", "profile: dev\npolicy: p.yaml\n",
        "repositories:\n  - match: a\n    lockfile: l.json\n", "[1, 2]\n")) {
      Path cfg = Files.writeString(tmp.resolve("bad.yaml"), bad);
      CheckException e = assertThrows(CheckException.class, () -> HookConfig.load(cfg), bad);
      assertEquals(HookCode.HOOK_CONFIG_INVALID, e.code(), bad);
    }
    assertEquals(IoCode.FILE_NOT_FOUND, assertThrows(CheckException.class, () -> HookConfig.load(tmp.resolve("none.yaml"))).code());
    Path missingConfig = Files.writeString(tmp.resolve("m.yaml"), "repositories:\n  - match: a\n    config: nope.yaml\n");
    assertEquals(IoCode.FILE_NOT_FOUND, assertThrows(CheckException.class, () -> HookConfig.load(missingConfig).over(flags())).code());
  }
}
