package dev.bitproof.oci.transport;

import java.util.Optional;

/**
 * How to reach images: registry credentials and TLS choices. Values only; the CLI fills them from flags,
 * the environment and {@code ~/.docker/config.json}.
 *
 * @param username registry user for basic auth / token exchange, if any
 * @param password its password or token
 * @param insecure allow plain-http and unverified TLS (loopback test registries)
 * @param dockerConfig path of a docker {@code config.json} to read credentials from, if any
 */
public record TransportOptions(Optional<String> username, Optional<String> password, boolean insecure,
    Optional<java.nio.file.Path> dockerConfig) {
  public static TransportOptions defaults() {
    return new TransportOptions(Optional.empty(), Optional.empty(), false, Optional.empty());
  }

  public TransportOptions withInsecure(boolean b) {
    return new TransportOptions(username, password, b, dockerConfig);
  }
}
