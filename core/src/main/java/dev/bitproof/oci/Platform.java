package dev.bitproof.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.json.Json;
import dev.bitproof.json.JsonCode;
import dev.bitproof.report.CheckException;
import java.util.List;
import java.util.Objects;

/** An OCI platform: os/architecture[/variant]. Matching ignores a missing variant on either side. */
public record Platform(String os, String architecture, String variant, String osVersion, List<String> osFeatures) {
  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    variant = variant == null ? "" : variant;
    osVersion = osVersion == null ? "" : osVersion;
    osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
  }

  public static Platform of(String os, String architecture, String variant) {
    return new Platform(os, architecture, variant, "", List.of());
  }

  /** Parses {@code os/arch[/variant]}. */
  public static Platform parse(String s) {
    String[] p = s.split("/", -1);
    if (p.length < 2 || p.length > 3 || p[0].isEmpty() || p[1].isEmpty()) {
      throw CheckException.usage(OciCode.PLATFORM_INVALID, "platform must be os/arch[/variant]: " + s);
    }
    return of(p[0], p[1], p.length == 3 ? p[2] : "");
  }

  static Platform fromJson(JsonNode n) {
    if (!n.isObject()) {
      throw new CheckException(JsonCode.JSON_INVALID, "platform", "platform must be an object");
    }
    Platform p = new Platform(Json.requiredText(n, "os", "platform"), Json.requiredText(n, "architecture", "platform"),
        Json.text(n, "variant").orElse(""), Json.text(n, "os.version").orElse(""), Json.stringList(n, "os.features"));
    // a descriptor's platform is read from a possibly tampered index: one that cannot be written as
    // os/arch[/variant] would be taken for another platform once printed, so it is refused as corrupt input
    // (exit 1), never reported as the user's usage error
    if (p.os.isEmpty() || p.architecture.isEmpty() || (p.os + p.architecture + p.variant).contains("/")) {
      throw CheckException.integrity(OciCode.PLATFORM_INVALID, "platform", "platform is not os/arch[/variant]: " + p);
    }
    return p;
  }

  public boolean matches(Platform other) {
    return os.equals(other.os) && architecture.equals(other.architecture)
        && (variant.isEmpty() || other.variant.isEmpty() || variant.equals(other.variant));
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
