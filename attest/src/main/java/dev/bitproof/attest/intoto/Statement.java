package dev.bitproof.attest.intoto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An in-toto Statement v1. Written once to bytes ({@link #toBytes()}), and those bytes are what gets signed. Read
 * only from bytes whose signature verified. Every extension lives inside the predicate: cosign parses the
 * statement with strict protojson and rejects unknown top-level or subject fields.
 *
 * @param subjects the artifacts the statement is about, matched by digest
 * @param predicateType the predicate's type URI
 * @param predicate the predicate object (always present: in-toto's Go library requires it)
 */
public record Statement(List<Subject> subjects, String predicateType, ObjectNode predicate) {
  public static final String TYPE = "https://in-toto.io/Statement/v1";
  /** A statement about more artifacts than this is not one of ours. */
  public static final int MAX_SUBJECTS = 1024;

  /** A subject: optional name and a digest set (algorithm → lowercase hex). */
  public record Subject(String name, Map<String, String> digest) {
    public Subject {
      digest = Map.copyOf(digest);
      if (digest.isEmpty()) {
        throw new IllegalArgumentException("a subject needs a digest");
      }
    }

    public static Subject of(String name, Digest d) {
      return new Subject(name, Map.of(d.algorithm(), d.hex()));
    }

    /** Does this subject name exactly the artifact with digest {@code d}? */
    public boolean matches(Digest d) {
      return d.hex().equals(digest.get(d.algorithm()));
    }
  }

  public Statement {
    subjects = List.copyOf(subjects);
    Objects.requireNonNull(predicateType, "predicateType");
    Objects.requireNonNull(predicate, "predicate");
    if (subjects.isEmpty()) {
      throw new IllegalArgumentException("a statement needs a subject");
    }
  }

  /** Compact UTF-8 JSON: {@code _type, subject, predicateType, predicate}. */
  public byte[] toBytes() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("_type", TYPE);
    ArrayNode a = n.putArray("subject");
    for (Subject s : subjects) {
      ObjectNode o = a.addObject();
      if (s.name() != null && !s.name().isEmpty()) {
        o.put("name", s.name());
      }
      ObjectNode d = o.putObject("digest");
      s.digest().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> d.put(e.getKey(), e.getValue()));
    }
    n.put("predicateType", predicateType);
    n.set("predicate", predicate);
    try {
      return Json.mapper().writeValueAsBytes(n);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses verified payload bytes; {@code STATEMENT_INVALID} when they are not an in-toto Statement v1. */
  public static Statement parse(byte[] verifiedPayload, String subject) {
    ObjectNode n;
    try {
      n = Json.parseObject(verifiedPayload, subject);
    } catch (CheckException e) {
      throw new CheckException(IntotoCode.STATEMENT_INVALID, subject, "payload is not a JSON object: " + e.getMessage(), e);
    }
    if (!TYPE.equals(n.path("_type").asText(null))) {
      throw new CheckException(IntotoCode.STATEMENT_INVALID, subject,
          "_type is '" + n.path("_type").asText("") + "', expected " + TYPE);
    }
    JsonNode subj = n.get("subject");
    if (subj == null || !subj.isArray() || subj.isEmpty()) {
      throw new CheckException(IntotoCode.STATEMENT_INVALID, subject, "subject must be a non-empty array");
    }
    if (subj.size() > MAX_SUBJECTS) {
      throw new CheckException(IntotoCode.STATEMENT_INVALID, subject, subj.size() + " subjects, over the limit of " + MAX_SUBJECTS);
    }
    List<Subject> subjects = new ArrayList<>();
    for (JsonNode s : subj) {
      if (!s.isObject() || !s.path("digest").isObject() || s.path("digest").isEmpty()) {
        throw new CheckException(IntotoCode.STATEMENT_INVALID, subject, "every subject needs a non-empty digest object");
      }
      String name = s.path("name").isTextual() ? s.get("name").asText() : "";
      subjects.add(new Subject(name, Json.stringMap(s, "digest")));
    }
    JsonNode pt = n.get("predicateType");
    if (pt == null || !pt.isTextual() || pt.asText().isEmpty()) {
      throw new CheckException(IntotoCode.STATEMENT_INVALID, subject, "predicateType is missing");
    }
    JsonNode pred = n.get("predicate");
    ObjectNode predicate = pred == null || pred.isNull() ? Json.mapper().createObjectNode() : null;
    if (predicate == null) {
      if (!pred.isObject()) {
        throw new CheckException(IntotoCode.STATEMENT_INVALID, subject, "predicate must be an object");
      }
      predicate = (ObjectNode) pred;
    }
    return new Statement(subjects, pt.asText(), predicate);
  }

  public boolean hasSubject(Digest d) {
    return subjects.stream().anyMatch(s -> s.matches(d));
  }
}
