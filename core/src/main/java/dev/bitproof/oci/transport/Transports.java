package dev.bitproof.oci.transport;

import dev.bitproof.oci.ImageReference;
import dev.bitproof.report.CheckException;
import java.io.IOException;

/** Opens the source or destination a reference names. */
public final class Transports {
  private Transports() {}

  public static ImageSource source(ImageReference ref, TransportOptions options) throws IOException {
    return switch (ref.transport()) {
      case OCI -> OciLayout.source(ref);
      default -> throw new CheckException("TRANSPORT_UNSUPPORTED", ref.toString(),
          "reading " + ref.transport().prefix() + ": is not implemented yet");
    };
  }

  public static ImageDestination destination(ImageReference ref, TransportOptions options) throws IOException {
    return switch (ref.transport()) {
      case OCI -> OciLayout.destination(ref);
      default -> throw new CheckException("TRANSPORT_UNSUPPORTED", ref.toString(),
          "writing " + ref.transport().prefix() + ": is not implemented yet");
    };
  }
}
