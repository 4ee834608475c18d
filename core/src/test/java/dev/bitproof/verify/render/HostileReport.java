package dev.bitproof.verify.render;

import dev.bitproof.apk.ApkCode;
import dev.bitproof.compare.CompareCode;
import dev.bitproof.compare.Comparison;
import dev.bitproof.compare.ImageComparison;
import dev.bitproof.compare.LayerComparison;
import dev.bitproof.compare.Verdict;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.MediaType;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.verify.Report;
import dev.bitproof.verify.VerifyCode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tampered-image report built from values, whose every image-derived string is hostile: file names that are markup
 * ({@code <script>}, {@code "><img onerror=…>}), a control character, a multi-line diff. Two platforms, a failing
 * and a passing signature check, a skipped SBOM check.
 */
final class HostileReport {
  static final String SCRIPT_NAME = "usr/bin/<script>alert(1)</script>";
  static final String IMG_NAME = "etc/\"><img src=x onerror=alert(2)>";
  static final String CONTROL_NAME = "tmp/bell\u0007\u0000name";

  private HostileReport() {}

  static Digest d(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static Report tampered() {
    Finding changed = new Finding(CompareCode.FILE_CHANGED, Severity.FAIL, "linux/amd64 layer 0 " + SCRIPT_NAME,
        "content differs", Map.of()).with("sizeA", 10).with("sizeB", 12)
        .with("diff", "--- a/" + SCRIPT_NAME + "\n+++ b/" + SCRIPT_NAME + "\n-<b>old</b>\n+</pre><script>x()</script>");
    Finding added = new Finding(CompareCode.FILE_ADDED, Severity.FAIL, "linux/amd64 layer 0 " + IMG_NAME, "only in B", Map.of())
        .with("mode", "0755");
    // a tar inside the layer explained entry by entry, and a JSON file path by path: hostile names and values too
    Finding outerTar = new Finding(CompareCode.FILE_CHANGED, Severity.FAIL, "linux/amd64 layer 0 usr/lib/scripts.tar",
        "content differs", Map.of()).with("nested.format", "gzip > tar").with("nested.note", "1 nested finding");
    Finding nested = new Finding(CompareCode.FILE_CHANGED, Severity.FAIL,
        "linux/amd64 layer 0 usr/lib/scripts.tar!/" + SCRIPT_NAME, "content differs", Map.of())
        .with("diff", "--- a/x\n+++ b/x\n-old\n+<script>nested()</script>");
    Finding json = new Finding(CompareCode.FILE_CHANGED, Severity.FAIL, "linux/amd64 layer 0 etc/conf.json",
        "content differs", Map.of()).with("nested.format", "json")
        .with("json.diff", "$['<img src=z>']: \"a\" → \"</pre><script>j()</script>\"\n$.b[0]: 1 → 2");
    Finding control = new Finding(CompareCode.FILE_ADDED, Severity.FAIL, "linux/arm64 layer 0 " + CONTROL_NAME, "only in B", Map.of());
    Finding layerAmd = new Finding(CompareCode.LAYER_DIFFERENT, Severity.FAIL, "linux/amd64 layer 0", "2 files differ", Map.of());
    Finding layerArm = new Finding(CompareCode.LAYER_DIFFERENT, Severity.FAIL, "linux/arm64 layer 0", "1 file differs", Map.of());
    Finding imgAmd = new Finding(CompareCode.IMAGE_DIFFERENT, Severity.FAIL, "linux/amd64", "layers differ", Map.of());
    Finding imgArm = new Finding(CompareCode.IMAGE_DIFFERENT, Severity.FAIL, "linux/arm64", "layers differ", Map.of());
    LayerComparison amd = new LayerComparison(0, Optional.of(Descriptor.of(MediaType.OCI_LAYER_GZIP, d("la"), 10)),
        Optional.of(Descriptor.of(MediaType.OCI_LAYER_GZIP, d("lb"), 12)), Optional.of(d("da")), Optional.of(d("db")),
        Verdict.DIFFERENT, true, List.of(layerAmd, changed, added, outerTar, nested, json),
        Map.of("path:var/<b>cache</b>/**", 3, "timestamps", 2));
    LayerComparison arm = new LayerComparison(0, Optional.of(Descriptor.of(MediaType.OCI_LAYER_GZIP, d("la2"), 10)),
        Optional.of(Descriptor.of(MediaType.OCI_LAYER_GZIP, d("lb2"), 12)), Optional.of(d("da2")), Optional.of(d("db2")),
        Verdict.DIFFERENT, true, List.of(layerArm, control));
    ImageComparison ia = new ImageComparison("linux/amd64", Optional.of(d("ma")), Optional.of(d("mb")), Optional.of(d("ca")),
        Optional.of(d("ca")), Verdict.DIFFERENT, List.of(imgAmd), List.of(amd));
    ImageComparison ib = new ImageComparison("linux/arm64", Optional.of(d("ma2")), Optional.of(d("mb2")), Optional.of(d("ca2")),
        Optional.of(d("ca2")), Verdict.DIFFERENT, List.of(imgArm), List.of(arm));
    Comparison c = new Comparison("oci:rebuilt", "oci:published <evil>", d("ra"), d("rb"), Verdict.DIFFERENT,
        List.of("timestamps", "history", "path:var/<b>cache</b>/**"), List.of(), List.of(ia, ib));
    Report.Check compare = Report.compareCheck(c, Verdict.CONTENT_IDENTICAL);
    Report.Check sigs = Report.Check.of("signatures", "1 signatures verified, 1 failed", List.of(
        Finding.ok(ApkCode.APKINDEX_SIGNATURE_OK, "APKINDEX x86_64", "RSA-SHA256 signature verified")
            .with("key", "wolfi-signing.rsa.pub").with("algorithm", "RSA/SHA-256"),
        Finding.fail(ApkCode.APKINDEX_SIGNATURE_INVALID, "APKINDEX aarch64 <img src=y>", "signature does not verify")
            .with("key", "wolfi-signing.rsa.pub")), Report.Status.FAIL);
    Report.Check sbom = new Report.Check("sbom", Report.Status.SKIPPED, "no SBOM published beside or shipped inside the image",
        List.of(Finding.of(VerifyCode.SBOM_NONE, Severity.INFO, "sbom", "no SBOM found")));
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("image", "oci:published <evil>");
    inputs.put("config", "apko.yaml");
    inputs.put("sourceDateEpoch", "1700000000");
    return new Report("verify", new Report.Subject("rebuilt", "oci:rebuilt", Optional.of(d("ra"))),
        new Report.Subject("published", "oci:published <evil>", Optional.of(d("rb"))), inputs,
        List.of("note with <b>markup</b>"), List.of(compare, sigs, sbom), Optional.of(c));
  }

  /** A passing report: one comparison check, bit-identical. */
  static Report identical() {
    Comparison c = new Comparison("oci:a", "oci:a", d("r"), d("r"), Verdict.BIT_IDENTICAL, List.of(), List.of(), List.of());
    return new Report("compare", new Report.Subject("a", "oci:a", Optional.of(d("r"))),
        new Report.Subject("b", "oci:a", Optional.of(d("r"))), Map.of(), List.of(),
        List.of(Report.compareCheck(c, Verdict.CONTENT_IDENTICAL)), Optional.of(c));
  }
}
