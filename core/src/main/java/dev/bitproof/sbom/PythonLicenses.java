package dev.bitproof.sbom;

import java.util.Map;
import java.util.Optional;

/** The SPDX identifier a Python trove classifier {@code License :: ...} names, for the common ones. */
final class PythonLicenses {
  private static final Map<String, String> BY_CLASSIFIER = Map.ofEntries(
      Map.entry("MIT License", "MIT"),
      Map.entry("MIT No Attribution License (MIT-0)", "MIT-0"),
      Map.entry("Apache Software License", "Apache-2.0"),
      Map.entry("BSD License", "BSD-3-Clause"),
      Map.entry("ISC License (ISCL)", "ISC"),
      Map.entry("Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
      Map.entry("GNU General Public License v2 (GPLv2)", "GPL-2.0-only"),
      Map.entry("GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"),
      Map.entry("GNU General Public License v3 (GPLv3)", "GPL-3.0-only"),
      Map.entry("GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later"),
      Map.entry("GNU Lesser General Public License v2 or later (LGPLv2+)", "LGPL-2.0-or-later"),
      Map.entry("GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"),
      Map.entry("GNU Lesser General Public License v3 or later (LGPLv3+)", "LGPL-3.0-or-later"),
      Map.entry("Python Software Foundation License", "PSF-2.0"),
      Map.entry("The Unlicense (Unlicense)", "Unlicense"),
      Map.entry("Zope Public License", "ZPL-2.1"));

  private PythonLicenses() {}

  static Optional<String> spdx(String classifier) {
    String last = classifier.substring(classifier.lastIndexOf("::") + 2).trim();
    return Optional.ofNullable(BY_CLASSIFIER.get(last));
  }
}
