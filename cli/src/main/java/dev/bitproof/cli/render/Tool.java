package dev.bitproof.cli.render;

/** The tool's identity as every JSON document and every report records it. */
public final class Tool {
  public static final String NAME = "bitproof";

  private Tool() {}

  /** The bare version number ({@code 0.1.0-SNAPSHOT}): the jar manifest's, or the build's when run from classes. */
  public static String version() {
    String v = Tool.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }
}
