package dev.bitproof.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.ManPages;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.cli.render.Tool;
import dev.bitproof.json.Json;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes the man pages of every command, made from the command line's own model. */
@Command(name = "man", mixinStandardHelpOptions = true,
    description = {"Write a troff man page (section 1) for every command into DIR: bitproof.1, bitproof-verify.1, "
        + "bitproof-apk-verify.1 …, from the same model --help prints, examples included.",
        "Each page is written to a temporary file and moved into place."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:written", "2:usage error",
      "3:could not write (DIR is not a directory or not writable)", "4:internal error"})
public final class ManCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Spec
  CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to write the pages (created if missing).")
  Path dir;

  @Override
  public Integer call() throws IOException {
    Output out = common.output();
    Map<String, String> pages = ManPages.render(spec.root().commandLine(), "bitproof " + Tool.version());
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new CheckException(dev.bitproof.io.IoCode.IO_ERROR, dir.toString(), "is not a directory");
    }
    Files.createDirectories(dir);
    for (Map.Entry<String, String> p : pages.entrySet()) {
      Path tmp = Files.createTempFile(dir, "." + p.getKey(), ".tmp");
      try {
        Files.writeString(tmp, p.getValue(), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(p.getKey()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("directory", dir.toString());
    pages.keySet().forEach(n.putArray("pages")::add);
    return out.render(new Result("man", Result.Outcome.PASS, n, w -> {
      w.println("wrote " + pages.size() + " man pages to " + dir + " (man -l " + dir.resolve("bitproof.1") + ")");
    }));
  }
}
