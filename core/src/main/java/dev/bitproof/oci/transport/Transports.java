package dev.bitproof.oci.transport;

import dev.bitproof.oci.ImageReference;
import java.io.IOException;

/** Opens the source or destination a reference names. */
public final class Transports {
  private Transports() {}

  public static ImageSource source(ImageReference ref, TransportOptions options) throws IOException {
    return switch (ref.transport()) {
      case OCI -> OciLayout.source(ref);
      case OCI_ARCHIVE -> OciArchive.source(ref);
      case DOCKER_ARCHIVE -> DockerArchive.source(ref);
      case DOCKER -> Registry.source(ref, options);
    };
  }

  public static ImageDestination destination(ImageReference ref, TransportOptions options) throws IOException {
    return switch (ref.transport()) {
      case OCI -> OciLayout.destination(ref);
      case OCI_ARCHIVE -> OciArchive.destination(ref);
      case DOCKER_ARCHIVE -> DockerArchive.destination(ref);
      case DOCKER -> Registry.destination(ref, options);
    };
  }
}
