package dev.bitproof.sbom;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.parsers.JsonParser;

/**
 * Schema validation of SBOMs, offline: CycloneDX against the schemas bundled in cyclonedx-core-java, SPDX 2.3
 * against the structural schema bundled with bitproof ({@code spdx-2.3.schema.json}, from the SPDX specification).
 */
public final class SbomValidator {
  private static volatile Schema spdx;

  private SbomValidator() {}

  /** Schema errors of an SPDX 2.3 JSON document; empty when it is valid. */
  public static List<String> spdx23(byte[] json) {
    List<String> out = new ArrayList<>();
    for (Error e : spdxSchema().validate(new String(json, StandardCharsets.UTF_8), InputFormat.JSON)) {
      out.add(e.getInstanceLocation() + ": " + e.getMessage());
    }
    return out;
  }

  /** Schema errors of an SPDX 2.3 JSON document already parsed. */
  public static List<String> spdx23(com.fasterxml.jackson.databind.JsonNode json) {
    List<String> out = new ArrayList<>();
    for (Error e : spdxSchema().validate(json)) {
      out.add(e.getInstanceLocation() + ": " + e.getMessage());
    }
    return out;
  }

  /** Schema errors of a CycloneDX JSON document against the given spec version; empty when it is valid. */
  public static List<String> cycloneDx(byte[] json, Version version) {
    try {
      List<String> out = new ArrayList<>();
      for (ParseException e : new JsonParser().validate(json, version)) {
        out.add(e.getMessage());
      }
      return out;
    } catch (IOException e) {
      throw new CheckException(SbomCode.SBOM_PARSE_ERROR, "cyclonedx", "cannot validate: " + e.getMessage(), e);
    }
  }

  private static Schema spdxSchema() {
    Schema s = spdx;
    if (s == null) {
      try (InputStream in = SbomValidator.class.getResourceAsStream("spdx-2.3.schema.json")) {
        if (in == null) {
          throw new IllegalStateException("bundled spdx-2.3.schema.json is missing");
        }
        s = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2019_09).getSchema(in, InputFormat.JSON);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      spdx = s;
    }
    return s;
  }
}
