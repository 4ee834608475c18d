package dev.bitproof.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.Finding;
import dev.bitproof.report.Severity;
import dev.bitproof.testing.TestLayouts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tar writers, the same entry: the comparison names the header fields whose bytes differ, with both values,
 * instead of "header differs".
 */
class TarHeaderFieldsTest {
  /** {@code tar} with the first entry's field at [off, off+len) replaced and its checksum recomputed. */
  static byte[] rewriteField(byte[] tar, int off, byte[] value) {
    byte[] t = tar.clone();
    int h = TestLayouts.entries(tar).get(0).headerOffset();
    System.arraycopy(value, 0, t, h + off, value.length);
    Arrays.fill(t, h + 148, h + 156, (byte) ' ');
    long sum = 0;
    for (int i = h; i < h + 512; i++) {
      sum += t[i] & 0xff;
    }
    byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(chk, 0, t, h + 148, 8);
    return t;
  }

  static byte[] block(byte[] tar) {
    int h = TestLayouts.entries(tar).get(0).headerOffset();
    return Arrays.copyOfRange(tar, h, h + 512);
  }

  @Test
  void devmajorWrittenAsNulsIsNamedWithBothValues() throws Exception {
    byte[] a = TestLayouts.tar(0, "etc/motd", "hi\n");
    byte[] b = rewriteField(a, 329, new byte[8]);
    List<TarHeaderFields.Difference> d = TarHeaderFields.differences(block(a), block(b));
    assertEquals(List.of("devmajor", "chksum"), d.stream().map(TarHeaderFields.Difference::field).toList());
    assertEquals("\"\\0×8\"", d.get(0).b());
    assertTrue(!d.get(0).a().equals(d.get(0).b()), d.toString());
    assertEquals(List.of(), TarHeaderFields.differences(block(a), block(a)));
    assertEquals(List.of(), TarHeaderFields.differences(null, block(a)));
  }

  @Test
  void showRendersControlBytesAndTrailingNuls() {
    byte[] h = new byte[16];
    byte[] v = "a/\"\u0001".getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(v, 0, h, 0, v.length);
    assertEquals("\"a/\\\"\\x01\\0×12\"", TarHeaderFields.show(h, 0, 16));
    assertEquals("\"0000000\\0\"", TarHeaderFields.show("0000000\0".getBytes(StandardCharsets.US_ASCII), 0, 8));
  }

  @Test
  void comparisonNamesTheFieldsAndIgnoreTarFormatHidesThem(@TempDir Path tmp) throws Exception {
    byte[] a = TestLayouts.tar(0, "etc/motd", "hi\n");
    // another writer: uname left empty would change a parsed field; a different version/magic padding does not
    byte[] b = rewriteField(rewriteField(a, 329, new byte[8]), 337, new byte[8]);
    Path ia = TestLayouts.singleImage(tmp.resolve("a"), "amd64", List.of(), a);
    Path ib = TestLayouts.singleImage(tmp.resolve("b"), "amd64", List.of(), b);
    Comparison strict = ImageComparatorTest.compare(ia, ib, CompareOptions.strict());
    assertEquals(Verdict.DIFFERENT, strict.verdict());
    List<Finding> changed = ImageComparatorTest.failures(strict, CompareCode.FILE_CHANGED);
    assertEquals(1, changed.size(), strict.allFindings().toString());
    Finding f = changed.get(0);
    assertEquals("linux/amd64 layer 0 etc/motd", f.subject());
    assertEquals("\"\\0×8\"", f.evidence().get("header.devmajor.b"));
    assertEquals("\"\\0×8\"", f.evidence().get("header.devminor.b"));
    assertTrue(f.evidence().containsKey("header.chksum.a"), f.evidence().toString());
    assertTrue(!f.evidence().containsKey("header.a"), "named fields, not a header digest: " + f.evidence());
    assertTrue(f.message().contains("header.devmajor"), f.message());

    Comparison loose = ImageComparatorTest.compare(ia, ib, CompareOptions.strict().withAlsoIgnored(false, false, false, true, false, false));
    assertEquals(Verdict.SEMANTICALLY_IDENTICAL, loose.verdict(), loose.allFindings().toString());
    String ignored = loose.allFindings().stream().filter(x -> x.code() == CompareCode.LAYER_IGNORED_DIFFERENCES)
        .map(x -> x.evidence().toString()).collect(Collectors.joining());
    assertTrue(ignored.contains("header.devmajor"), loose.allFindings().toString());
    assertTrue(loose.allFindings().stream().noneMatch(x -> x.severity() == Severity.FAIL && x.code() == CompareCode.FILE_CHANGED));
  }
}
