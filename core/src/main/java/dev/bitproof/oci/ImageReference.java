package dev.bitproof.oci;

import dev.bitproof.report.CheckException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference in skopeo's transport syntax: {@code oci:DIR[:TAG]}, {@code oci-archive:FILE[:TAG]},
 * {@code docker-archive:FILE[:NAME:TAG]}, {@code docker://HOST/REPO[:TAG|@DIGEST]}; a reference with no
 * transport means {@code docker://}.
 *
 * @param transport which transport
 * @param path the directory or file for local transports, empty for docker
 * @param registry registry host[:port] for docker, empty otherwise
 * @param repository repository path for docker, empty otherwise
 * @param tag tag (or, for archives, the name:tag / ref.name inside), if given
 * @param digest digest for docker {@code @sha256:…}, if given
 */
public record ImageReference(Transport transport, String path, String registry, String repository,
    Optional<String> tag, Optional<Digest> digest) {

  public enum Transport {
    OCI("oci"), OCI_ARCHIVE("oci-archive"), DOCKER_ARCHIVE("docker-archive"), DOCKER("docker");

    private final String prefix;

    Transport(String prefix) {
      this.prefix = prefix;
    }

    public String prefix() {
      return prefix;
    }
  }

  public static final String DOCKER_HUB = "registry-1.docker.io";
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern REPO = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");

  /** A repository path as the distribution spec allows it (lowercase components, no {@code ..}). */
  public static boolean isValidRepository(String repository) {
    return REPO.matcher(repository).matches();
  }

  /** A tag as the distribution spec allows it. */
  public static boolean isValidTag(String tag) {
    return TAG.matcher(tag).matches();
  }

  public ImageReference {
    Objects.requireNonNull(transport);
    path = path == null ? "" : path;
    registry = registry == null ? "" : registry;
    repository = repository == null ? "" : repository;
    tag = tag == null ? Optional.empty() : tag;
    digest = digest == null ? Optional.empty() : digest;
  }

  /** The transports {@link #parse} accepts, as an error message lists them. */
  public static final String TRANSPORTS = "oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, docker://HOST/REPO[:TAG|@DIGEST]";

  public static ImageReference parse(String ref) {
    Objects.requireNonNull(ref, "reference");
    if (ref.isBlank()) {
      throw CheckException.usage(OciCode.REFERENCE_INVALID, "empty image reference");
    }
    if (ref.startsWith("docker://")) {
      return parseDocker(ref.substring("docker://".length()), ref);
    }
    if (ref.startsWith("oci:")) {
      return local(Transport.OCI, ref.substring(4), ref);
    }
    if (ref.startsWith("oci-archive:")) {
      return local(Transport.OCI_ARCHIVE, ref.substring(12), ref);
    }
    if (ref.startsWith("docker-archive:")) {
      return local(Transport.DOCKER_ARCHIVE, ref.substring(15), ref);
    }
    int colon = ref.indexOf(':');
    int slash = ref.indexOf('/');
    if (colon > 0 && (slash < 0 || colon < slash) && ref.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")
        && !ref.substring(colon + 1).matches("[0-9]+(/.*)?")) {
      // "word:rest" with no slash before the colon: a docker name:tag only when it is a plausible one (a lower-case
      // name, a valid tag, nothing after it); else a transport we do not know, said at once (never a registry
      // round trip to docker.io for "OCI:/path")
      if (slash < 0 && !ref.contains("@") && ref.substring(0, colon).matches("[a-z0-9]+([._-][a-z0-9]+)*")
          && ref.substring(colon + 1).matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
        return parseDocker(ref, ref);
      }
      throw new CheckException(OciCode.TRANSPORT_UNKNOWN, CheckException.Kind.USAGE, ref, "unknown transport '"
          + ref.substring(0, colon) + ":'; the transports are " + TRANSPORTS + " (a bare HOST/REPO[:TAG] means docker://)",
          null);
    }
    return parseDocker(ref, ref);
  }

  public static ImageReference oci(String dir, String tag) {
    return new ImageReference(Transport.OCI, dir, "", "", Optional.ofNullable(tag), Optional.empty());
  }

  private static ImageReference local(Transport t, String rest, String whole) {
    if (rest.isEmpty()) {
      throw CheckException.usage(OciCode.REFERENCE_INVALID, "missing path in " + whole);
    }
    String path = rest;
    String tag = null;
    int c = rest.indexOf(':');
    if (t == Transport.DOCKER_ARCHIVE) {
      // docker-archive:path[:name:tag | :@index]
      if (c > 0) {
        path = rest.substring(0, c);
        tag = rest.substring(c + 1);
      }
    } else {
      int last = rest.lastIndexOf(':');
      if (last > 0 && !rest.substring(last + 1).contains("/")) {
        path = rest.substring(0, last);
        tag = rest.substring(last + 1);
      }
    }
    if (tag != null && tag.isEmpty()) {
      tag = null;
    }
    return new ImageReference(t, path, "", "", Optional.ofNullable(tag), Optional.empty());
  }

  private static ImageReference parseDocker(String s, String whole) {
    String rest = s;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = Digest.parse(rest.substring(at + 1));
      rest = rest.substring(0, at);
    }
    String tag = null;
    int lastSlash = rest.lastIndexOf('/');
    int lastColon = rest.lastIndexOf(':');
    if (lastColon > lastSlash) {
      tag = rest.substring(lastColon + 1);
      rest = rest.substring(0, lastColon);
      if (!TAG.matcher(tag).matches()) {
        throw CheckException.usage(OciCode.REFERENCE_INVALID, "invalid tag '" + tag + "' in " + whole);
      }
    }
    String registry;
    String repo;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? "" : rest.substring(0, slash);
    if (slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
      registry = first;
      repo = rest.substring(slash + 1);
    } else {
      registry = DOCKER_HUB;
      repo = rest.contains("/") ? rest : "library/" + rest;
    }
    if (!REPO.matcher(repo).matches()) {
      throw CheckException.usage(OciCode.REFERENCE_INVALID, "invalid repository '" + repo + "' in " + whole);
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(Transport.DOCKER, "", registry, repo, Optional.ofNullable(tag), Optional.ofNullable(digest));
  }

  /** The same reference naming a digest instead of a tag (docker only). */
  public ImageReference withDigest(Digest d) {
    return new ImageReference(transport, path, registry, repository, Optional.empty(), Optional.of(d));
  }

  @Override
  public String toString() {
    return switch (transport) {
      case DOCKER -> "docker://" + registry + "/" + repository + tag.map(t -> ":" + t).orElse("")
          + digest.map(d -> "@" + d).orElse("");
      default -> transport.prefix() + ":" + path + tag.map(t -> ":" + t).orElse("");
    };
  }
}
