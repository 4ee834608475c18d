package dev.bitproof.apko;

import dev.bitproof.gocompat.GoJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An apko image configuration ({@code apko.yaml}), field for field as apko's {@code types.ImageConfiguration}
 * (reference apko.md §3.1, {@code types/schema.json}). Immutable; the {@code with*} methods make the variants the
 * build needs (the per-arch locked config written to {@code /etc/apko.json}).
 */
public record ImageConfiguration(Contents contents, Entrypoint entrypoint, String cmd, String stopSignal,
    String workDir, Accounts accounts, List<String> archs, Map<String, String> environment, List<PathMutation> paths,
    String vcsUrl, Map<String, String> annotations, String include, List<String> volumes, Layering layering,
    String format, Certificates certificates) {

  public ImageConfiguration {
    contents = contents == null ? Contents.EMPTY : contents;
    entrypoint = entrypoint == null ? Entrypoint.EMPTY : entrypoint;
    cmd = nz(cmd);
    stopSignal = nz(stopSignal);
    workDir = nz(workDir);
    accounts = accounts == null ? Accounts.EMPTY : accounts;
    archs = list(archs);
    environment = map(environment);
    paths = list(paths);
    vcsUrl = nz(vcsUrl);
    annotations = map(annotations);
    include = nz(include);
    volumes = list(volumes);
    format = nz(format);
  }

  static String nz(String s) {
    return s == null ? "" : s;
  }

  static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : List.copyOf(l);
  }

  static Map<String, String> map(Map<String, String> m) {
    return m == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(m));
  }

  /** {@code contents:}. */
  public record Contents(List<String> buildRepositories, List<String> runtimeRepositories, List<String> repositories,
      List<String> keyring, List<NamedContent> runtimeKeyring, List<String> packages, BaseImage baseImage) {
    public static final Contents EMPTY = new Contents(null, null, null, null, null, null, null);

    public Contents {
      buildRepositories = list(buildRepositories);
      runtimeRepositories = list(runtimeRepositories);
      repositories = list(repositories);
      keyring = list(keyring);
      runtimeKeyring = list(runtimeKeyring);
      packages = list(packages);
    }

    public Contents withPackages(List<String> p) {
      return new Contents(buildRepositories, runtimeRepositories, repositories, keyring, runtimeKeyring, p, baseImage);
    }
  }

  /** {@code contents.baseimage:} (experimental). */
  public record BaseImage(String image, String apkindex) {}

  /** {@code {name, content}} entries of runtime_keyring and certificates.additional. */
  public record NamedContent(String name, String content) {}

  /** {@code entrypoint:}. */
  public record Entrypoint(String type, String command, String shellFragment, Map<String, String> services) {
    public static final Entrypoint EMPTY = new Entrypoint(null, null, null, null);

    public Entrypoint {
      type = nz(type);
      command = nz(command);
      shellFragment = nz(shellFragment);
      services = map(services);
    }
  }

  /** {@code accounts:}. */
  public record Accounts(String runAs, List<User> users, List<Group> groups) {
    public static final Accounts EMPTY = new Accounts(null, null, null);

    public Accounts {
      runAs = nz(runAs);
      users = list(users);
      groups = list(groups);
    }
  }

  /** A user; {@code gid} null means "same as uid". */
  public record User(String username, long uid, Long gid, String shell, String homedir) {
    public User {
      username = nz(username);
      shell = nz(shell);
      homedir = nz(homedir);
    }
  }

  public record Group(String groupname, long gid, List<String> members) {
    public Group {
      groupname = nz(groupname);
      members = list(members);
    }
  }

  /** A {@code paths:} entry; uid/gid null when not given. */
  public record PathMutation(String path, String type, Long uid, Long gid, long permissions, String source,
      boolean recursive) {
    public PathMutation {
      path = nz(path);
      type = nz(type);
      source = nz(source);
    }
  }

  public record Layering(String strategy, long budget) {
    public Layering {
      strategy = nz(strategy);
    }
  }

  public record Certificates(List<NamedContent> additional, List<String> providers) {
    public Certificates {
      additional = list(additional);
      providers = list(providers);
    }
  }

  public ImageConfiguration withContents(Contents c) {
    return new ImageConfiguration(c, entrypoint, cmd, stopSignal, workDir, accounts, archs, environment, paths, vcsUrl,
        annotations, include, volumes, layering, format, certificates);
  }

  public ImageConfiguration withArchs(List<String> a) {
    return new ImageConfiguration(contents, entrypoint, cmd, stopSignal, workDir, accounts, a, environment, paths,
        vcsUrl, annotations, include, volumes, layering, format, certificates);
  }

  public ImageConfiguration withAnnotations(Map<String, String> a) {
    return new ImageConfiguration(contents, entrypoint, cmd, stopSignal, workDir, accounts, archs, environment, paths,
        vcsUrl, a, include, volumes, layering, format, certificates);
  }

  public ImageConfiguration withEntrypoint(Entrypoint e) {
    return new ImageConfiguration(contents, e, cmd, stopSignal, workDir, accounts, archs, environment, paths, vcsUrl,
        annotations, include, volumes, layering, format, certificates);
  }

  public ImageConfiguration withAccounts(Accounts a) {
    return new ImageConfiguration(contents, entrypoint, cmd, stopSignal, workDir, a, archs, environment, paths, vcsUrl,
        annotations, include, volumes, layering, format, certificates);
  }

  /** Annotations with {@code overrides} merged over them (the CLI's win). */
  public ImageConfiguration withAnnotationsMerged(Map<String, String> overrides) {
    Map<String, String> m = new LinkedHashMap<>(annotations);
    m.putAll(overrides);
    return withAnnotations(m);
  }

  /**
   * The JSON apko writes to {@code /etc/apko.json}: Go struct order, {@code omitempty} everywhere except the
   * struct-typed {@code contents}, {@code entrypoint} and {@code accounts}.
   */
  public GoJson.Value toGoJson() {
    GoJson.Obj o = GoJson.object();
    GoJson.Obj c = GoJson.object();
    c.putIfNotEmpty("build_repositories", GoJson.stringArray(contents.buildRepositories()));
    c.putIfNotEmpty("runtime_repositories", GoJson.stringArray(contents.runtimeRepositories()));
    c.putIfNotEmpty("repositories", GoJson.stringArray(contents.repositories()));
    c.putIfNotEmpty("keyring", GoJson.stringArray(contents.keyring()));
    GoJson.Arr rk = GoJson.array();
    contents.runtimeKeyring().forEach(k -> rk.add(named(k)));
    c.putIfNotEmpty("runtime_keyring", rk);
    c.putIfNotEmpty("packages", GoJson.stringArray(contents.packages()));
    if (contents.baseImage() != null) {
      c.put("baseimage", GoJson.object().putIfNotEmpty("image", contents.baseImage().image())
          .putIfNotEmpty("apkindex", contents.baseImage().apkindex()));
    }
    o.put("contents", c);
    GoJson.Obj e = GoJson.object();
    e.putIfNotEmpty("type", entrypoint.type());
    e.putIfNotEmpty("command", entrypoint.command());
    e.putIfNotEmpty("shell-fragment", entrypoint.shellFragment());
    e.putIfNotEmpty("services", GoJson.stringMap(entrypoint.services()));
    o.put("entrypoint", e);
    o.putIfNotEmpty("cmd", cmd);
    o.putIfNotEmpty("stop-signal", stopSignal);
    o.putIfNotEmpty("work-dir", workDir);
    GoJson.Obj a = GoJson.object();
    a.putIfNotEmpty("run-as", accounts.runAs());
    GoJson.Arr users = GoJson.array();
    for (User u : accounts.users()) {
      GoJson.Obj uo = GoJson.object().putIfNotEmpty("username", u.username()).putIfNotZero("uid", u.uid());
      if (u.gid() != null) {
        uo.put("gid", u.gid());
      }
      uo.putIfNotEmpty("shell", u.shell()).putIfNotEmpty("homedir", u.homedir());
      users.add(uo);
    }
    a.putIfNotEmpty("users", users);
    GoJson.Arr groups = GoJson.array();
    for (Group g : accounts.groups()) {
      groups.add(GoJson.object().putIfNotEmpty("groupname", g.groupname()).putIfNotZero("gid", g.gid())
          .putIfNotEmpty("members", GoJson.stringArray(g.members())));
    }
    a.putIfNotEmpty("groups", groups);
    o.put("accounts", a);
    o.putIfNotEmpty("archs", GoJson.stringArray(archs));
    o.putIfNotEmpty("environment", GoJson.stringMap(environment));
    GoJson.Arr ps = GoJson.array();
    for (PathMutation p : paths) {
      GoJson.Obj po = GoJson.object().putIfNotEmpty("path", p.path()).putIfNotEmpty("type", p.type());
      if (p.uid() != null) {
        po.putIfNotZero("uid", p.uid());
      }
      if (p.gid() != null) {
        po.putIfNotZero("gid", p.gid());
      }
      po.putIfNotZero("permissions", p.permissions()).putIfNotEmpty("source", p.source());
      if (p.recursive()) {
        po.put("recursive", true);
      }
      ps.add(po);
    }
    o.putIfNotEmpty("paths", ps);
    o.putIfNotEmpty("vcs-url", vcsUrl);
    o.putIfNotEmpty("annotations", GoJson.stringMap(annotations));
    o.putIfNotEmpty("include", include);
    o.putIfNotEmpty("volumes", GoJson.stringArray(volumes));
    if (layering != null) {
      o.put("layering", GoJson.object().putIfNotEmpty("strategy", layering.strategy())
          .putIfNotZero("budget", layering.budget()));
    }
    o.putIfNotEmpty("format", format);
    if (certificates != null) {
      GoJson.Arr add = GoJson.array();
      certificates.additional().forEach(k -> add.add(named(k)));
      o.put("certificates", GoJson.object().putIfNotEmpty("additional", add)
          .putIfNotEmpty("providers", GoJson.stringArray(certificates.providers())));
    }
    return o;
  }

  private static GoJson.Obj named(NamedContent k) {
    return GoJson.object().putIfNotEmpty("name", k.name()).putIfNotEmpty("content", k.content());
  }

  /** All repositories used at build time: build_repositories then repositories. */
  public List<String> buildTimeRepositories() {
    List<String> r = new ArrayList<>(contents.buildRepositories());
    r.addAll(contents.repositories());
    return r;
  }
}
