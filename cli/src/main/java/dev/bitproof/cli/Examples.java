package dev.bitproof.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The "Examples:" section of every command's {@code --help} (and man page), by the command as typed. Kept in one
 * table so the set can be read and reviewed at once; {@code ExamplesTest} walks the picocli model and fails for a
 * command that has none.
 */
final class Examples {
  private Examples() {}

  static final Map<String, List<String>> BY_COMMAND = new LinkedHashMap<>();

  private static void add(String command, String... lines) {
    BY_COMMAND.put(command, List.of(lines));
  }

  static {
    add("bitproof",
        "bitproof demo",
        "bitproof verify apko.yaml --image registry.example/app:1.0 --lockfile apko.lock.json",
        "bitproof compare oci:a oci:b --format json");
    add("bitproof demo",
        "bitproof demo                                  # rebuild testdata/demo and verify it",
        "bitproof demo --tampered --report-html demo.html");
    add("bitproof verify",
        "bitproof verify apko.yaml --image registry.example/app:1.0 --lockfile apko.lock.json",
        "bitproof verify --image oci:published --format sarif > bitproof.sarif",
        "bitproof verify apko.yaml --image oci:out --report-html report.html --format junit > junit.xml");
    add("bitproof compare",
        "bitproof compare oci:rebuilt oci:published",
        "bitproof compare docker://registry.example/app:1.0 oci-archive:app.tar --semantic --format json");
    add("bitproof build",
        "bitproof build apko.yaml --lockfile apko.lock.json -o oci:out",
        "bitproof build apko.yaml app:latest app.tar --arch amd64,arm64   # apko's own command line",
        "bitproof build apko.yaml --lock-only --write-lock apko.lock.json");
    add("bitproof inspect",
        "bitproof inspect oci:out",
        "bitproof inspect registry.example/app:1.0 --format json");
    add("bitproof copy",
        "bitproof copy oci:out docker://localhost:5000/app:1.0 --insecure",
        "bitproof copy registry.example/app:1.0 docker-archive:app.tar --platform linux/amd64");
    add("bitproof recompress",
        "bitproof recompress oci:published",
        "bitproof recompress layer.tar.gz --write out/ --threads 2");
    add("bitproof apk",
        "bitproof apk verify --keyring keys/ busybox-1.36.1-r2.apk",
        "bitproof apk info busybox-1.36.1-r2.apk");
    add("bitproof apk verify",
        "bitproof apk verify --keyring /etc/apk/keys busybox-1.36.1-r2.apk APKINDEX.tar.gz");
    add("bitproof apk info",
        "bitproof apk info busybox-1.36.1-r2.apk --format json");
    add("bitproof apk resolve",
        "bitproof apk resolve --repository https://packages.wolfi.dev/os --keyring keys/ --arch x86_64 busybox");
    add("bitproof deb",
        "bitproof deb verify --keyring debian-archive-keyring.gpg --release InRelease --packages Packages.xz hello.deb",
        "bitproof deb image-check docker://debian:bookworm");
    add("bitproof deb verify",
        "bitproof deb verify --keyring debian-archive-keyring.gpg --release InRelease --packages Packages.xz hello.deb");
    add("bitproof deb image-check",
        "bitproof deb image-check oci:debian-image --format json");
    add("bitproof sbom",
        "bitproof sbom check oci:out",
        "bitproof sbom generate oci:out --format spdx --output sbom.spdx.json");
    add("bitproof sbom check",
        "bitproof sbom check oci:out",
        "bitproof sbom check --rootfs rootfs.tar --sbom sbom.spdx.json --format json");
    add("bitproof sbom generate",
        "bitproof sbom generate oci:out --format cyclonedx --output sbom.cdx.json");
    add("bitproof policy",
        "bitproof policy check oci:out --profile production");
    add("bitproof policy check",
        "bitproof policy check oci:out --profile production",
        "bitproof policy check registry.example/app:1.0 --policy policy.yaml --format json");
    add("bitproof attest",
        "bitproof attest sign report.json --key cosign.key --attach",
        "bitproof attest verify registry.example/app:1.0 --key cosign.pub");
    add("bitproof attest sign",
        "bitproof verify apko.yaml --image oci:out --format json > report.json",
        "bitproof attest sign report.json --key cosign.key --out report.intoto.jsonl");
    add("bitproof attest verify",
        "bitproof attest verify registry.example/app:1.0 --key cosign.pub --max-age 7d");
    add("bitproof key",
        "bitproof key generate --out cosign");
    add("bitproof key generate",
        "bitproof key generate --out cosign --type ed25519");
    add("bitproof hook",
        "bitproof hook serve --registry localhost:5000 --state /var/lib/bitproof",
        "bitproof hook results --url http://127.0.0.1:8765 app@sha256:…");
    add("bitproof hook serve",
        "bitproof hook serve --registry localhost:5000 --state /var/lib/bitproof --workers 2",
        "bitproof hook serve --registry localhost:5000 --state state/ --verify-config app=apko.yaml");
    add("bitproof hook results",
        "bitproof hook results --url http://127.0.0.1:8765",
        "bitproof hook results --url http://127.0.0.1:8765 app@sha256:… --report-html hook.html");
    add("bitproof completion",
        "source <(bitproof completion bash)",
        "bitproof completion zsh > ~/.bitproof-completion.zsh && echo 'source ~/.bitproof-completion.zsh' >> ~/.zshrc");
    add("bitproof man",
        "bitproof man --dir /usr/local/share/man/man1 && man bitproof-verify");
  }

  /** Sets the examples footer of every command in the tree that has examples in the table. */
  static void apply(CommandLine root) {
    CommandLine.Model.CommandSpec spec = root.getCommandSpec();
    List<String> lines = BY_COMMAND.get(spec.qualifiedName());
    if (lines != null) {
      spec.usageMessage().footerHeading("%nExamples:%n");
      // picocli reads footers as format strings: an example's own % is kept as it is
      spec.usageMessage().footer(lines.stream().map(l -> "  " + l.replace("%", "%%")).toArray(String[]::new));
    }
    root.getSubcommands().values().forEach(Examples::apply);
  }
}
