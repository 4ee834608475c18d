package dev.bitproof.apko;

import dev.bitproof.apko.ConfigLoader.Key;
import dev.bitproof.apko.ConfigLoader.Scalar;
import dev.bitproof.apko.ImageConfiguration.Accounts;
import dev.bitproof.apko.ImageConfiguration.BaseImage;
import dev.bitproof.apko.ImageConfiguration.Certificates;
import dev.bitproof.apko.ImageConfiguration.Contents;
import dev.bitproof.apko.ImageConfiguration.Entrypoint;
import dev.bitproof.apko.ImageConfiguration.Group;
import dev.bitproof.apko.ImageConfiguration.Layering;
import dev.bitproof.apko.ImageConfiguration.NamedContent;
import dev.bitproof.apko.ImageConfiguration.PathMutation;
import dev.bitproof.apko.ImageConfiguration.User;
import dev.bitproof.report.CheckException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Maps the YAML tree onto {@link ImageConfiguration}, refusing unknown keys and wrong types with their line. */
final class ConfigMapper {
  private ConfigMapper() {}

  static final List<String> TOP = List.of("contents", "entrypoint", "cmd", "stop-signal", "work-dir", "accounts",
      "archs", "environment", "paths", "vcs-url", "annotations", "include", "volumes", "layering", "format",
      "certificates");

  static ImageConfiguration map(Map<Key, Object> m, String subject) {
    Ctx c = new Ctx(subject);
    Map<String, Object> f = c.fields(m, "ImageConfiguration", TOP);
    return new ImageConfiguration(
        contents(c, f.get("contents")),
        entrypoint(c, f.get("entrypoint")),
        c.str(f.get("cmd"), "cmd"),
        c.str(f.get("stop-signal"), "stop-signal"),
        c.str(f.get("work-dir"), "work-dir"),
        accounts(c, f.get("accounts")),
        c.strings(f.get("archs"), "archs"),
        c.strMap(f.get("environment"), "environment"),
        paths(c, f.get("paths")),
        c.str(f.get("vcs-url"), "vcs-url"),
        c.strMap(f.get("annotations"), "annotations"),
        c.str(f.get("include"), "include"),
        c.strings(f.get("volumes"), "volumes"),
        layering(c, f.get("layering")),
        c.str(f.get("format"), "format"),
        certificates(c, f.get("certificates")));
  }

  private static Contents contents(Ctx c, Object v) {
    if (c.absent(v)) {
      return Contents.EMPTY;
    }
    Map<String, Object> f = c.fields(c.map(v, "contents"), "ImageContents", List.of("build_repositories",
        "runtime_repositories", "repositories", "keyring", "runtime_keyring", "packages", "baseimage"));
    BaseImage bi = null;
    if (!c.absent(f.get("baseimage"))) {
      Map<String, Object> b = c.fields(c.map(f.get("baseimage"), "contents.baseimage"), "BaseImageDescriptor",
          List.of("image", "apkindex"));
      bi = new BaseImage(c.str(b.get("image"), "baseimage.image"), c.str(b.get("apkindex"), "baseimage.apkindex"));
    }
    return new Contents(
        trimSlash(c.strings(f.get("build_repositories"), "contents.build_repositories")),
        trimSlash(c.strings(f.get("runtime_repositories"), "contents.runtime_repositories")),
        trimSlash(c.strings(f.get("repositories"), "contents.repositories")),
        c.strings(f.get("keyring"), "contents.keyring"),
        named(c, f.get("runtime_keyring"), "contents.runtime_keyring", "RuntimeKeyringEntry"),
        c.strings(f.get("packages"), "contents.packages"),
        bi);
  }

  private static List<String> trimSlash(List<String> repos) {
    List<String> out = new ArrayList<>();
    for (String r : repos) {
      out.add(r.replaceAll("/+$", ""));
    }
    return out;
  }

  private static List<NamedContent> named(Ctx c, Object v, String where, String type) {
    List<NamedContent> out = new ArrayList<>();
    for (Object e : c.list(v, where)) {
      Map<String, Object> f = c.fields(c.map(e, where), type, List.of("name", "content"));
      out.add(new NamedContent(c.str(f.get("name"), where + ".name"), c.str(f.get("content"), where + ".content")));
    }
    return out;
  }

  private static Entrypoint entrypoint(Ctx c, Object v) {
    if (c.absent(v)) {
      return Entrypoint.EMPTY;
    }
    Map<String, Object> f = c.fields(c.map(v, "entrypoint"), "ImageEntrypoint",
        List.of("type", "command", "shell-fragment", "services"));
    return new Entrypoint(c.str(f.get("type"), "entrypoint.type"), c.str(f.get("command"), "entrypoint.command"),
        c.str(f.get("shell-fragment"), "entrypoint.shell-fragment"), c.strMap(f.get("services"), "entrypoint.services"));
  }

  private static Accounts accounts(Ctx c, Object v) {
    if (c.absent(v)) {
      return Accounts.EMPTY;
    }
    Map<String, Object> f = c.fields(c.map(v, "accounts"), "ImageAccounts", List.of("run-as", "users", "groups"));
    List<User> users = new ArrayList<>();
    for (Object u : c.list(f.get("users"), "accounts.users")) {
      Map<String, Object> uf = c.fields(c.map(u, "accounts.users"), "User",
          List.of("username", "uid", "gid", "shell", "homedir"));
      users.add(new User(c.str(uf.get("username"), "username"), c.uint32(uf.get("uid"), "uid", 0),
          c.absent(uf.get("gid")) ? null : c.uint32(uf.get("gid"), "gid", 0), c.str(uf.get("shell"), "shell"),
          c.str(uf.get("homedir"), "homedir")));
    }
    List<Group> groups = new ArrayList<>();
    for (Object g : c.list(f.get("groups"), "accounts.groups")) {
      Map<String, Object> gf = c.fields(c.map(g, "accounts.groups"), "Group", List.of("groupname", "gid", "members"));
      groups.add(new Group(c.str(gf.get("groupname"), "groupname"), c.uint32(gf.get("gid"), "gid", 0),
          c.strings(gf.get("members"), "members")));
    }
    return new Accounts(c.str(f.get("run-as"), "accounts.run-as"), users, groups);
  }

  private static List<PathMutation> paths(Ctx c, Object v) {
    List<PathMutation> out = new ArrayList<>();
    for (Object p : c.list(v, "paths")) {
      Map<String, Object> f = c.fields(c.map(p, "paths"), "PathMutation",
          List.of("path", "type", "uid", "gid", "permissions", "source", "recursive"));
      out.add(new PathMutation(c.str(f.get("path"), "paths.path"), c.str(f.get("type"), "paths.type"),
          c.absent(f.get("uid")) ? null : c.uint32(f.get("uid"), "paths.uid", 0),
          c.absent(f.get("gid")) ? null : c.uint32(f.get("gid"), "paths.gid", 0),
          c.uint32(f.get("permissions"), "paths.permissions", 0), c.str(f.get("source"), "paths.source"),
          c.bool(f.get("recursive"), "paths.recursive")));
    }
    return out;
  }

  private static Layering layering(Ctx c, Object v) {
    if (c.absent(v)) {
      return null;
    }
    Map<String, Object> f = c.fields(c.map(v, "layering"), "Layering", List.of("strategy", "budget"));
    return new Layering(c.str(f.get("strategy"), "layering.strategy"), c.int64(f.get("budget"), "layering.budget", 0));
  }

  private static Certificates certificates(Ctx c, Object v) {
    if (v == null || c.absent(v)) {
      return null;
    }
    Map<String, Object> f = c.fields(c.map(v, "certificates"), "ImageCertificates", List.of("additional", "providers"));
    return new Certificates(named(c, f.get("additional"), "certificates.additional", "AdditionalCertificateEntry"),
        c.strings(f.get("providers"), "certificates.providers"));
  }

  /**
   * {@code include:} merge: the including file's non-empty fields win; repository, keyring and package lists are
   * concatenated (base first, duplicates dropped); maps are merged with the including file winning.
   */
  static ImageConfiguration merge(ImageConfiguration base, ImageConfiguration over) {
    Contents b = base.contents();
    Contents o = over.contents();
    Contents contents = new Contents(cat(b.buildRepositories(), o.buildRepositories()),
        cat(b.runtimeRepositories(), o.runtimeRepositories()), cat(b.repositories(), o.repositories()),
        cat(b.keyring(), o.keyring()), o.runtimeKeyring().isEmpty() ? b.runtimeKeyring() : o.runtimeKeyring(),
        cat(b.packages(), o.packages()), o.baseImage() != null ? o.baseImage() : b.baseImage());
    return new ImageConfiguration(contents,
        isEmpty(over.entrypoint()) ? base.entrypoint() : over.entrypoint(),
        pick(base.cmd(), over.cmd()), pick(base.stopSignal(), over.stopSignal()), pick(base.workDir(), over.workDir()),
        isEmpty(over.accounts()) ? base.accounts() : over.accounts(),
        over.archs().isEmpty() ? base.archs() : over.archs(),
        mergeMap(base.environment(), over.environment()),
        over.paths().isEmpty() ? base.paths() : over.paths(),
        pick(base.vcsUrl(), over.vcsUrl()),
        mergeMap(base.annotations(), over.annotations()),
        over.include(), // apko's merged config keeps the include (it shows in /etc/apko.json)
        over.volumes().isEmpty() ? base.volumes() : over.volumes(),
        over.layering() != null ? over.layering() : base.layering(),
        pick(base.format(), over.format()),
        over.certificates() != null ? over.certificates() : base.certificates());
  }

  private static boolean isEmpty(Entrypoint e) {
    return e.equals(Entrypoint.EMPTY);
  }

  private static boolean isEmpty(Accounts a) {
    return a.equals(Accounts.EMPTY);
  }

  private static String pick(String base, String over) {
    return over.isEmpty() ? base : over;
  }

  private static List<String> cat(List<String> a, List<String> b) {
    Set<String> s = new LinkedHashSet<>(a);
    s.addAll(b);
    return List.copyOf(s);
  }

  private static Map<String, String> mergeMap(Map<String, String> a, Map<String, String> b) {
    Map<String, String> m = new LinkedHashMap<>(a);
    m.putAll(b);
    return m;
  }

  /** Type-checked accessors that name the field and line on error. */
  private static final class Ctx {
    final String subject;

    Ctx(String subject) {
      this.subject = subject;
    }

    boolean absent(Object v) {
      return v == null || (v instanceof Scalar s && s.isNull());
    }

    @SuppressWarnings("unchecked")
    Map<Key, Object> map(Object v, String where) {
      if (absent(v)) {
        return Map.of();
      }
      if (v instanceof Map<?, ?> m) {
        return (Map<Key, Object>) m;
      }
      throw type(where, "a mapping", v);
    }

    @SuppressWarnings("unchecked")
    List<Object> list(Object v, String where) {
      if (absent(v)) {
        return List.of();
      }
      if (v instanceof List<?> l) {
        return (List<Object>) l;
      }
      throw type(where, "a sequence", v);
    }

    /** Values by key name; an unknown key is {@code APKO_CONFIG_UNKNOWN_KEY} with its line. */
    Map<String, Object> fields(Map<Key, Object> m, String type, List<String> known) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<Key, Object> e : m.entrySet()) {
        if (!known.contains(e.getKey().name())) {
          throw new CheckException(ApkoCode.APKO_CONFIG_UNKNOWN_KEY, subject, "line " + e.getKey().line() + ": field "
              + e.getKey().name() + " not found in type " + type);
        }
        out.put(e.getKey().name(), e.getValue());
      }
      return out;
    }

    String str(Object v, String where) {
      if (absent(v)) {
        return "";
      }
      if (v instanceof Scalar s) {
        return s.value();
      }
      throw type(where, "a string", v);
    }

    List<String> strings(Object v, String where) {
      List<String> out = new ArrayList<>();
      for (Object e : list(v, where)) {
        if (!(e instanceof Scalar s)) {
          throw type(where, "a list of strings", e);
        }
        out.add(s.isNull() ? "" : s.value());
      }
      return out;
    }

    Map<String, String> strMap(Object v, String where) {
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<Key, Object> e : map(v, where).entrySet()) {
        out.put(e.getKey().name(), str(e.getValue(), where + "." + e.getKey().name()));
      }
      return out;
    }

    long uint32(Object v, String where, long dflt) {
      long n = int64(v, where, dflt);
      if (n < 0 || n > 0xFFFFFFFFL) {
        throw new CheckException(ApkoCode.APKO_CONFIG_TYPE, subject, "line " + lineOf(v) + ": " + where + " out of range: " + n);
      }
      return n;
    }

    /** Go yaml.v3 integers: decimal, 0x, 0o, 0b and 1.1-style leading-zero octal; underscores allowed. */
    long int64(Object v, String where, long dflt) {
      if (absent(v)) {
        return dflt;
      }
      if (!(v instanceof Scalar s)) {
        throw type(where, "an integer", v);
      }
      String t = s.value().replace("_", "");
      try {
        boolean neg = t.startsWith("-");
        if (neg || t.startsWith("+")) {
          t = t.substring(1);
        }
        long n;
        if (t.startsWith("0x") || t.startsWith("0X")) {
          n = Long.parseLong(t.substring(2), 16);
        } else if (t.startsWith("0o") || t.startsWith("0O")) {
          n = Long.parseLong(t.substring(2), 8);
        } else if (t.startsWith("0b") || t.startsWith("0B")) {
          n = Long.parseLong(t.substring(2), 2);
        } else if (t.length() > 1 && t.startsWith("0")) {
          n = Long.parseLong(t.substring(1), 8);
        } else {
          n = Long.parseLong(t);
        }
        return neg ? -n : n;
      } catch (NumberFormatException e) {
        throw type(where, "an integer", v);
      }
    }

    boolean bool(Object v, String where) {
      if (absent(v)) {
        return false;
      }
      if (v instanceof Scalar s) {
        switch (s.value()) {
          case "true", "True", "TRUE" -> {
            return true;
          }
          case "false", "False", "FALSE" -> {
            return false;
          }
          default -> { }
        }
      }
      throw type(where, "a boolean", v);
    }

    private int lineOf(Object v) {
      return v instanceof Scalar s ? s.line() : 0;
    }

    private CheckException type(String where, String want, Object got) {
      String line = got instanceof Scalar s ? "line " + s.line() + ": " : "";
      return new CheckException(ApkoCode.APKO_CONFIG_TYPE, subject, line + where + " must be " + want);
    }
  }
}
