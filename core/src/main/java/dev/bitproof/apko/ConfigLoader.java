package dev.bitproof.apko;

import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads {@code apko.yaml} strictly, as apko's {@code yaml.v3} decoder with {@code KnownFields(true)} does: an
 * unknown key is an error naming the key and its line; only the core schema's tags are accepted (nothing is
 * constructed from a tag); aliases of collections are limited (no billion-laughs); duplicate keys are refused.
 * {@code include:} files are merged as apko merges them, and an include loop is an error.
 *
 * <p>Relative paths in the config (keyrings, repositories, includes) are relative to the working directory
 * apko runs in, not to the config file: the caller gives that directory as {@code baseDir}.
 */
public final class ConfigLoader {
  /** A config file must be small; apko's are under 10 KiB. */
  public static final int MAX_CONFIG_BYTES = 1 << 20;
  static final int MAX_ALIASES = 20;
  static final int MAX_NODES = 100_000;
  static final int MAX_INCLUDE_DEPTH = 8;

  /** The parsed config and what identifies it. */
  public record Loaded(ImageConfiguration config, String checksum, byte[] raw, String name, List<Path> files) {}

  private ConfigLoader() {}

  /** Loads {@code file}; includes are resolved against {@code baseDir}. */
  public static Loaded load(Path file, Path baseDir) throws IOException {
    List<Path> files = new ArrayList<>();
    MessageDigest sha = sha256();
    ImageConfiguration cfg = load(file, baseDir, new LinkedHashSet<>(), files, sha);
    byte[] raw = read(file);
    return new Loaded(cfg, "sha256-" + Base64.getEncoder().encodeToString(sha.digest()), raw,
        file.getFileName().toString(), List.copyOf(files));
  }

  /** Parses YAML bytes with no includes allowed (tests, in-memory configs). */
  public static ImageConfiguration parse(byte[] yaml, String subject) {
    Map<Key, Object> tree = toTree(yaml, subject);
    ImageConfiguration c = ConfigMapper.map(tree, subject);
    if (!c.include().isEmpty()) {
      throw new CheckException(ApkoCode.APKO_CONFIG_INCLUDE, subject, "include: is not allowed here");
    }
    return c;
  }

  private static ImageConfiguration load(Path file, Path baseDir, Set<Path> chain, List<Path> files,
      MessageDigest sha) throws IOException {
    Path canon;
    try {
      canon = file.toRealPath();
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CheckException(ApkoCode.APKO_CONFIG_NOT_FOUND, file.toString(), "no such config file", e);
    }
    if (chain.contains(canon)) {
      List<String> names = new ArrayList<>();
      chain.forEach(p -> names.add(p.toString()));
      names.add(canon.toString());
      throw new CheckException(ApkoCode.APKO_CONFIG_INCLUDE_LOOP, file.toString(),
          "include loop: " + String.join(" -> ", names));
    }
    if (chain.size() >= MAX_INCLUDE_DEPTH) {
      throw new CheckException(ApkoCode.APKO_CONFIG_INCLUDE_TOO_DEEP, file.toString(),
          "more than " + MAX_INCLUDE_DEPTH + " nested includes");
    }
    chain.add(canon);
    files.add(file);
    byte[] raw = read(file);
    sha.update(raw);
    ImageConfiguration ic = ConfigMapper.map(toTree(raw, file.toString()), file.toString());
    if (!ic.include().isEmpty()) {
      Path inc = baseDir.resolve(ic.include());
      ImageConfiguration base = load(inc, baseDir, chain, files, sha);
      ic = ConfigMapper.merge(base, ic);
    }
    chain.remove(canon);
    return ic;
  }

  private static byte[] read(Path file) throws IOException {
    if (Files.size(file) > MAX_CONFIG_BYTES) {
      throw new CheckException(ApkoCode.APKO_CONFIG_TOO_LARGE, file.toString(), "config is over " + MAX_CONFIG_BYTES + " bytes");
    }
    return Files.readAllBytes(file);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** YAML → plain tree of {@link Map}, {@link List}, {@link Scalar}; keys keep their line numbers. */
  static Map<Key, Object> toTree(byte[] yaml, String subject) {
    LoadSettings settings = LoadSettings.builder()
        .setLabel(subject)
        .setAllowDuplicateKeys(false)
        .setAllowRecursiveKeys(false)
        .setMaxAliasesForCollections(MAX_ALIASES)
        .setCodePointLimit(MAX_CONFIG_BYTES)
        .setUseMarks(true)
        .build();
    Optional<Node> root;
    try {
      root = new Compose(settings).composeString(new String(yaml, StandardCharsets.UTF_8));
    } catch (YamlEngineException e) {
      throw new CheckException(ApkoCode.APKO_CONFIG_YAML_INVALID, subject, "not valid YAML: " + firstLine(e.getMessage()), e);
    }
    if (root.isEmpty()) {
      return Map.of();
    }
    int[] budget = {MAX_NODES};
    Object t = convert(root.get(), subject, budget);
    if (t instanceof Scalar s && s.isNull()) {
      return Map.of();
    }
    if (!(t instanceof Map<?, ?>)) {
      throw new CheckException(ApkoCode.APKO_CONFIG_TYPE, subject, "top level must be a mapping (line "
          + line(root.get()) + ")");
    }
    @SuppressWarnings("unchecked")
    Map<Key, Object> m = (Map<Key, Object>) t;
    return m;
  }

  /** A scalar with its resolved tag and line. */
  record Scalar(String value, Tag tag, int line, boolean plain) {
    boolean isNull() {
      return tag.equals(Tag.NULL);
    }
  }

  /** A mapping key with its line, so unknown-key errors can point at it. */
  record Key(String name, int line) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final Set<Tag> ALLOWED = Set.of(Tag.STR, Tag.INT, Tag.BOOL, Tag.NULL, Tag.FLOAT, Tag.MAP, Tag.SEQ);

  private static Object convert(Node n, String subject, int[] budget) {
    if (--budget[0] < 0) {
      throw new CheckException(ApkoCode.APKO_CONFIG_TOO_LARGE, subject, "more than " + MAX_NODES + " YAML nodes (alias expansion?)");
    }
    if (!ALLOWED.contains(n.getTag())) {
      throw new CheckException(ApkoCode.APKO_CONFIG_TAG_REFUSED, subject,
          "YAML tag " + n.getTag().getValue() + " at line " + line(n) + " is not allowed");
    }
    if (n instanceof ScalarNode s) {
      return new Scalar(s.getValue(), s.getTag(), line(n), s.isPlain());
    }
    if (n instanceof SequenceNode s) {
      List<Object> out = new ArrayList<>();
      for (Node c : s.getValue()) {
        out.add(convert(c, subject, budget));
      }
      return out;
    }
    MappingNode m = (MappingNode) n;
    Map<Key, Object> out = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw new CheckException(ApkoCode.APKO_CONFIG_TYPE, subject, "mapping key at line " + line(t.getKeyNode()) + " is not a string");
      }
      if (k.getValue().equals("<<")) {
        throw new CheckException(ApkoCode.APKO_CONFIG_TAG_REFUSED, subject, "merge keys (<<) at line " + line(k) + " are not supported");
      }
      for (Key seen : out.keySet()) {
        if (seen.name().equals(k.getValue())) {
          throw new CheckException(ApkoCode.APKO_CONFIG_DUPLICATE_KEY, subject, "line " + line(k) + ": key " + k.getValue()
              + " repeats the key at line " + seen.line());
        }
      }
      out.put(new Key(k.getValue(), line(k)), convert(t.getValueNode(), subject, budget));
    }
    return out;
  }

  static int line(Node n) {
    return n.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }
}
