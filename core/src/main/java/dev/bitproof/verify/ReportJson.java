package dev.bitproof.verify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.json.Json;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import java.util.Optional;

/** A {@link Report} as the JSON document {@code docs/schema/report.json} describes (schemaVersion 1). */
public final class ReportJson {
  public static final String SCHEMA_ID = "https://bitproof.dev/schemas/report-v1.json";

  private ReportJson() {}

  public static ObjectNode toJson(Report r, String toolVersion) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("$schema", SCHEMA_ID);
    n.put("schemaVersion", Report.SCHEMA_VERSION);
    n.putObject("tool").put("name", "bitproof").put("version", toolVersion);
    n.put("command", r.command());
    n.put("result", r.passed() ? "PASS" : "FAIL");
    n.put("verdict", r.verdict().map(Enum::name).orElse("NOT_COMPARED"));
    ObjectNode subjects = n.putObject("subjects");
    subject(subjects.putObject("a"), r.a());
    subject(subjects.putObject("b"), r.b());
    ObjectNode inputs = n.putObject("inputs");
    r.inputs().forEach(inputs::put);
    ArrayNode ignore = n.putArray("ignoreSet");
    r.tree().ifPresent(t -> t.ignoreSet().forEach(ignore::add));
    ArrayNode hidden = n.putArray("ignored");
    r.tree().ifPresent(t -> t.ignored().forEach((rule, hid) -> hidden.addObject().put("rule", rule)
        .put("hid", hid)));
    ArrayNode notes = n.putArray("notes");
    r.notes().forEach(notes::add);
    ArrayNode checks = n.putArray("checks");
    r.checks().forEach(c -> checks.add(check(c)));
    ArrayNode images = n.putArray("images");
    r.tree().ifPresent(t -> images(t, images));
    return n;
  }

  private static void subject(ObjectNode n, Report.Subject s) {
    n.put("label", s.label());
    n.put("reference", s.reference());
    digest(n, "digest", s.digest());
  }

  private static void images(DigestTree t, ArrayNode out) {
    for (DigestTree.Image i : t.images()) {
      ObjectNode in = out.addObject();
      in.put("platform", i.platform());
      in.put("verdict", i.verdict().name());
      pair(in.putObject("manifest"), i.manifest());
      pair(in.putObject("config"), i.config());
      ArrayNode layers = in.putArray("layers");
      for (DigestTree.Layer l : i.layers()) {
        ObjectNode ln = layers.addObject();
        ln.put("index", l.index());
        ln.put("verdict", l.verdict().name());
        pair(ln.putObject("digest"), l.digest());
        pair(ln.putObject("diffId"), l.diffId());
        ln.put("explained", l.explained());
      }
    }
  }

  private static void pair(ObjectNode n, DigestTree.Pair p) {
    pair(n, p.a(), p.b());
  }

  private static void pair(ObjectNode n, Optional<Digest> a, Optional<Digest> b) {
    digest(n, "a", a);
    digest(n, "b", b);
  }

  private static void digest(ObjectNode n, String field, Optional<Digest> d) {
    if (d.isPresent()) {
      n.put(field, d.get().toString());
    } else {
      n.putNull(field);
    }
  }

  public static ObjectNode check(Report.Check c) {
    ObjectNode cn = Json.mapper().createObjectNode();
    cn.put("name", c.name());
    cn.put("status", c.status().name());
    cn.put("summary", c.summary());
    ArrayNode fs = cn.putArray("findings");
    c.findings().forEach(f -> fs.add(finding(f)));
    return cn;
  }

  /**
   * The report exactly as {@code --format json} prints it (indented, one line separator at the end): the bytes an
   * attestation records the digest of.
   */
  public static byte[] printedBytes(Report r, String toolVersion) {
    try {
      return (Json.mapper().writer().with(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(toJson(r, toolVersion)) + System.lineSeparator()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ObjectNode finding(Finding f) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("code", f.code().name());
    n.put("severity", f.severity().name());
    n.put("subject", f.subject());
    n.put("message", f.message());
    ObjectNode ev = n.putObject("evidence");
    f.evidence().forEach(ev::put);
    return n;
  }
}
