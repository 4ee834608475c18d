package dev.bitproof.apk;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.apk.GzipMembers.MemberLimits;
import dev.bitproof.apk.GzipMembers.Section;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.ApkFixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class GzipMembersTest {
  static final MemberLimits LIMITS = new MemberLimits(1 << 20, 1000, 1 << 20, ApkCode.APK_DECOMPRESSION_BOMB, ApkCode.APK_TOO_LARGE);

  /** A gzip member with every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC), as few writers emit. */
  static byte[] fancyMember(byte[] content) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3});
    b.writeBytes(new byte[] {5, 0, 'a', 'b', 'c', 'd', 'e'});
    b.writeBytes("name.tar\0".getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(new byte[] {0x12, 0x34}); // header CRC16 (not checked: it guards the header only)
    Deflater d = new Deflater(9, true);
    d.setInput(content);
    d.finish();
    byte[] buf = new byte[content.length + 1024];
    int n = d.deflate(buf);
    b.write(buf, 0, n);
    CRC32 crc = new CRC32();
    crc.update(content);
    long c = crc.getValue();
    long size = content.length;
    for (int i = 0; i < 4; i++) {
      b.write((int) (c >>> (8 * i)) & 0xff);
    }
    for (int i = 0; i < 4; i++) {
      b.write((int) (size >>> (8 * i)) & 0xff);
    }
    return b.toByteArray();
  }

  static List<Section> split(byte[] all) throws Exception {
    GzipMembers g = new GzipMembers(new ByteArrayInputStream(all), "t");
    List<Section> out = new ArrayList<>();
    while (!g.atEnd()) {
      GzipMembers.Member m = g.next(LIMITS, true, ApkCode.APK_NOT_GZIP);
      m.readAllBytes();
      out.add(m.finish());
    }
    return out;
  }

  @Test
  void locatesEachMemberToTheByteWithOptionalHeaderFields() throws Exception {
    byte[] a = ApkFixtures.gzip("first".getBytes(StandardCharsets.US_ASCII));
    byte[] b = fancyMember("second, with every header field".getBytes(StandardCharsets.US_ASCII));
    byte[] c = ApkFixtures.gzip(new byte[0]);
    List<Section> s = split(ApkFixtures.concat(a, b, c));
    assertEquals(3, s.size());
    assertEquals(0, s.get(0).offset());
    assertEquals(a.length, s.get(0).length());
    assertEquals(a.length, s.get(1).offset());
    assertEquals(b.length, s.get(1).length());
    assertEquals(a.length + b.length, s.get(2).offset());
    assertEquals(0, s.get(2).uncompressedSize());
    assertArrayEquals(b, s.get(1).raw());
    assertEquals(HexFormat.of().formatHex(ApkFixtures.sha("SHA-256", b)), HexFormat.of().formatHex(s.get(1).sha256()));
    assertEquals(HexFormat.of().formatHex(ApkFixtures.sha("SHA-1", a)), HexFormat.of().formatHex(s.get(0).sha1()));
  }

  @Test
  void corruptTrailerAndFlags() throws Exception {
    byte[] ok = ApkFixtures.gzip("content".getBytes(StandardCharsets.US_ASCII));
    byte[] badCrc = ok.clone();
    badCrc[badCrc.length - 8] ^= 1;
    assertEquals(ApkCode.APK_CORRUPT, assertThrows(CheckException.class, () -> split(badCrc)).code());
    byte[] badSize = ok.clone();
    badSize[badSize.length - 1] ^= 1;
    assertEquals(ApkCode.APK_CORRUPT, assertThrows(CheckException.class, () -> split(badSize)).code());
    byte[] reserved = ok.clone();
    reserved[3] = (byte) 0x80;
    assertEquals(ApkCode.APK_NOT_GZIP, assertThrows(CheckException.class, () -> split(reserved)).code());
    byte[] notDeflate = ok.clone();
    notDeflate[2] = 7;
    assertEquals(ApkCode.APK_NOT_GZIP, assertThrows(CheckException.class, () -> split(notDeflate)).code());
    byte[] garbage = ok.clone();
    for (int i = 10; i < garbage.length - 8; i++) {
      garbage[i] = (byte) 0xff;
    }
    assertEquals(ApkCode.APK_CORRUPT, assertThrows(CheckException.class, () -> split(garbage)).code());
  }

  @Test
  void unterminatedFileNameIsTruncated() {
    byte[] hdr = {0x1f, (byte) 0x8b, 8, 8, 0, 0, 0, 0, 0, 3, 'a', 'b'};
    assertEquals(ApkCode.APK_TRUNCATED, assertThrows(CheckException.class, () -> split(hdr)).code());
  }

  @Test
  void keptRawBytesAreBounded() throws Exception {
    byte[] big = ApkFixtures.gzip(new java.util.Random(3).ints(200_000).collect(ByteArrayOutputStream::new,
        (o, i) -> o.write(i), (x, y) -> x.writeBytes(y.toByteArray())).toByteArray());
    GzipMembers g = new GzipMembers(new ByteArrayInputStream(big), "t");
    CheckException e = assertThrows(CheckException.class, () -> {
      GzipMembers.Member m = g.next(new MemberLimits(1 << 20, 1000, 1000, ApkCode.APK_DECOMPRESSION_BOMB, ApkCode.APK_TOO_LARGE), true, ApkCode.APK_NOT_GZIP);
      m.readAllBytes();
      m.finish();
    });
    assertEquals(ApkCode.APK_TOO_LARGE, e.code());
  }
}
