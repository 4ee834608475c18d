package dev.bitproof.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.bitproof.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Validates report JSON against the documented schema {@code docs/schema/report.json} (networknt, draft 2020-12). */
public final class ReportSchema {
  private static Schema schema;

  private ReportSchema() {}

  public static Path file() {
    return SharedData.projectRoot().resolve("docs/schema/report.json");
  }

  /** The validation messages; empty when the document is valid. */
  public static synchronized List<String> validate(JsonNode doc) {
    if (schema == null) {
      try {
        JsonNode s = Json.parse(Files.readAllBytes(file()), file().toString());
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return schema.validate(doc).stream().map(Object::toString).toList();
  }
}
