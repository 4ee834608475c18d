package dev.bitproof.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.bitproof.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Validates a SARIF log against the official OASIS SARIF 2.1.0 schema (core's test resources, {@code /sarif}). */
public final class SarifSchema {
  private static Schema schema;

  private SarifSchema() {}

  /** The validation messages; empty when the log is valid. */
  public static synchronized List<String> validate(JsonNode log) {
    if (schema == null) {
      try (InputStream in = SarifSchema.class.getResourceAsStream("/sarif/sarif-schema-2.1.0.json")) {
        JsonNode s = Json.parse(in.readAllBytes(), "sarif-schema-2.1.0.json");
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return schema.validate(log).stream().map(Object::toString).toList();
  }
}
