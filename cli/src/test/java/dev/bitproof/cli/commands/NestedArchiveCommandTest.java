package dev.bitproof.cli.commands;

import static dev.bitproof.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.testing.ReportSchema;
import dev.bitproof.testing.TestImages;
import dev.bitproof.testing.TestImages.Entry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bitproof compare} on two images whose jar differs only in entry timestamps: said so, entry by entry. */
class NestedArchiveCommandTest {
  @Test
  void aJarDifferingOnlyInTimestampsIsExplainedInTextAndJson(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    new TestImages().layer(Entry.dir("app", 0755), Entry.file("app/app.jar", 0644, jar(LocalDateTime.of(2024, 1, 2, 3, 4, 6))))
        .writeTo(a);
    new TestImages().layer(Entry.dir("app", 0755), Entry.file("app/app.jar", 0644, jar(LocalDateTime.of(2025, 6, 7, 8, 9, 10))))
        .writeTo(b);
    Run text = run("compare", "oci:" + a, "oci:" + b);
    assertEquals(1, text.code(), text.err());
    String out = text.out();
    assertTrue(out.contains("nested.note: the same 2 entries with the same contents; only entry headers differ: mtime (2 entries)"), out);
    assertTrue(out.contains("FAIL  FILE_CHANGED  linux/amd64 layer 0 app/app.jar!/demo/App.class: mtime differs\n"
        + "          mtime.a: 2024-01-02 03:04:06\n          mtime.b: 2025-06-07 08:09:10\n"), out);
    Run json = run("compare", "oci:" + a, "oci:" + b, "--format", "json");
    assertEquals(List.of(), ReportSchema.validate(json.json()));
    boolean found = false;
    for (JsonNode check : json.json().get("checks")) {
      for (JsonNode f : check.get("findings")) {
        found |= f.get("subject").asText().equals("linux/amd64 layer 0 app/app.jar!/META-INF/MANIFEST.MF")
            && f.get("evidence").get("mtime.b").asText().equals("2025-06-07 08:09:10");
      }
    }
    assertTrue(found, json.out());
  }

  private static byte[] jar(LocalDateTime t) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bos)) {
      for (String[] e : new String[][] {{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n"},
          {"demo/App.class", "\u00ca\u00fe\u00ba\u00be class bytes"}}) {
        ZipEntry ze = new ZipEntry(e[0]);
        ze.setTimeLocal(t);
        z.putNextEntry(ze);
        z.write(e[1].getBytes(StandardCharsets.ISO_8859_1));
        z.closeEntry();
      }
    }
    return bos.toByteArray();
  }
}
