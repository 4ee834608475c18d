package dev.bitproof.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Strict, bounded JSON reading for untrusted documents. Duplicate keys are an error (two parsers could pick
 * different values), nesting and sizes are limited.
 */
public final class Json {
  /** Nesting deeper than this is refused: no real image document comes close. */
  public static final int MAX_DEPTH = 64;

  private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxNestingDepth(MAX_DEPTH)
              .maxStringLength(64 * 1024 * 1024)
              .maxNumberLength(100)
              .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}

  /** A mapper with the same limits, for writing reports (never for bytes that are digested). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Parses {@code bytes} as one JSON value; {@code JSON_INVALID} with the subject otherwise. */
  public static JsonNode parse(byte[] bytes, String subject) {
    try {
      JsonNode n = MAPPER.readTree(bytes);
      if (n == null || n.isMissingNode()) {
        throw new CheckException(JsonCode.JSON_INVALID, subject, "empty document");
      }
      return n;
    } catch (IOException e) {
      throw new CheckException(JsonCode.JSON_INVALID, subject, "not valid JSON: " + firstLine(e.getMessage()), e);
    }
  }

  /** Parses and requires an object. */
  public static ObjectNode parseObject(byte[] bytes, String subject) {
    JsonNode n = parse(bytes, subject);
    if (!n.isObject()) {
      throw new CheckException(JsonCode.JSON_INVALID, subject, "expected a JSON object, found " + n.getNodeType());
    }
    return (ObjectNode) n;
  }

  public static Optional<String> text(JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isTextual()) {
      throw new CheckException(JsonCode.JSON_INVALID, field, "field '" + field + "' must be a string");
    }
    return Optional.of(n.asText());
  }

  public static String requiredText(JsonNode obj, String field, String subject) {
    return text(obj, field).orElseThrow(
        () -> new CheckException(JsonCode.JSON_INVALID, subject, "required field '" + field + "' is missing"));
  }

  public static List<String> stringList(JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new CheckException(JsonCode.JSON_INVALID, field, "field '" + field + "' must be an array");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw new CheckException(JsonCode.JSON_INVALID, field, "field '" + field + "' must hold strings");
      }
      out.add(e.asText());
    }
    return List.copyOf(out);
  }

  /** A {@code map[string]string}; insertion order as in the document. */
  public static Map<String, String> stringMap(JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      throw new CheckException(JsonCode.JSON_INVALID, field, "field '" + field + "' must be an object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> {
      if (!e.getValue().isTextual()) {
        throw new CheckException(JsonCode.JSON_INVALID, field, "field '" + field + "." + e.getKey() + "' must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    });
    return java.util.Collections.unmodifiableMap(out);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
