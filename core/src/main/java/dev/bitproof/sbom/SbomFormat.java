package dev.bitproof.sbom;

/** The SBOM encodings bitproof reads. */
public enum SbomFormat {
  SPDX_JSON("spdx"),
  CYCLONEDX_JSON("cyclonedx"),
  CYCLONEDX_XML("cyclonedx-xml");

  private final String label;

  SbomFormat(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
