package dev.bitproof.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.base.DescribedPredicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering STYLE.md describes, enforced over the main classes of every module on the cli's classpath (core,
 * attest, cli): no package cycles anywhere; core never reaches up into attest or cli; attest never into cli; inside
 * core the foundation (report, json, gocompat) and the image model (oci, io, oci.transport, tar, image) never reach
 * up into the areas built on them, and nothing in core but {@code verify} depends on {@code verify}; inside cli the
 * commands never reach up into the entry point, and they stay thin shells: no JSON trees of their own, no file
 * writing, no printing past the renderer.
 */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(l -> !l.contains("-tests.jar") && !l.contains("/test-classes/"))
        .importPackages("dev.bitproof");
  }

  /**
   * Which module a class was compiled in, from where its class file lies: {@code core/target/classes/…}, or the
   * module's jar when the reactor hands the jar on ({@code bitproof-core-….jar}).
   */
  private static DescribedPredicate<JavaClass> inModule(String module) {
    return DescribedPredicate.describe("in module " + module, c -> c.getSource().map(s -> {
      String u = s.getUri().toString();
      return u.contains("/" + module + "/target/classes/") || u.contains("/bitproof-" + module + "-");
    }).orElse(false));
  }

  @Test
  void theImportSawEveryModule() {
    // guards the rules below against passing vacuously on an empty import
    for (String m : new String[] {"core", "attest", "cli"}) {
      org.junit.jupiter.api.Assertions.assertTrue(classes.stream().anyMatch(inModule(m)::test), "no class of module " + m + " imported");
    }
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.bitproof.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void coreDependsOnNeitherAttestNorCli() {
    noClasses().that(inModule("core")).should().dependOnClassesThat(inModule("attest").or(inModule("cli")))
        .check(classes);
  }

  @Test
  void attestDependsOnCoreOnly() {
    noClasses().that(inModule("attest")).should().dependOnClassesThat(inModule("cli")).check(classes);
  }

  @Test
  void theFoundationDependsOnNothingAboveIt() {
    String[] foundation = {"dev.bitproof.report", "dev.bitproof.json", "dev.bitproof.gocompat"};
    noClasses().that().resideInAnyPackage(foundation)
        .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.bitproof..")
            .and(JavaClass.Predicates.resideOutsideOfPackages(foundation)))
        .check(classes);
  }

  @Test
  void theImageModelDependsOnlyOnTheFoundation() {
    noClasses().that().resideInAnyPackage("dev.bitproof.oci..", "dev.bitproof.io..", "dev.bitproof.tar..", "dev.bitproof.image..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.bitproof.apk..", "dev.bitproof.deb..",
            "dev.bitproof.apko..", "dev.bitproof.rebuild..", "dev.bitproof.compare..", "dev.bitproof.compress..",
            "dev.bitproof.sbom..", "dev.bitproof.policy..", "dev.bitproof.verify..", "dev.bitproof.hook..")
        .check(classes);
  }

  @Test
  void onlyVerifyAndTheLayersAboveCoreUseVerify() {
    noClasses().that(inModule("core")).and().resideOutsideOfPackage("dev.bitproof.verify..")
        .should().dependOnClassesThat().resideInAPackage("dev.bitproof.verify..").check(classes);
  }

  @Test
  void commandsNeverReachUpIntoTheEntryPoint() {
    noClasses().that().resideInAPackage("dev.bitproof.cli.commands..")
        .should().dependOnClassesThat().resideInAPackage("dev.bitproof.cli").check(classes);
  }

  /**
   * No command holds logic another command calls: a class in cli.commands uses no other top-level {@code *Command}
   * (shared options are mixins, shared logic lives in core, attest, hook or cli.render).
   */
  @Test
  void noCommandCallsIntoAnotherCommand() {
    com.tngtech.archunit.lang.ArchCondition<JavaClass> noOtherCommand =
        new com.tngtech.archunit.lang.ArchCondition<>("use no other command") {
          @Override
          public void check(JavaClass c, com.tngtech.archunit.lang.ConditionEvents events) {
            String own = topLevel(c).getName();
            for (var d : c.getDirectDependenciesFromSelf()) {
              JavaClass target = topLevel(d.getTargetClass());
              if (target.getPackageName().equals("dev.bitproof.cli.commands") && target.getSimpleName().endsWith("Command")
                  && !target.getName().equals(own)) {
                events.add(com.tngtech.archunit.lang.SimpleConditionEvent.violated(d, d.getDescription()));
              }
            }
          }
        };
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes().that().resideInAPackage("dev.bitproof.cli.commands")
        .should(noOtherCommand).check(classes);
  }

  private static DescribedPredicate<JavaClass> aCommandExcept(java.util.Set<String> exempt) {
    return DescribedPredicate.describe("a command (exempt: " + exempt + ")",
        c -> c.getPackageName().equals("dev.bitproof.cli.commands") && !exempt.contains(topLevel(c).getSimpleName()));
  }

  /**
   * Commands are thin shells: a command's result is a typed record from core, attest or hook ({@code json.JsonBody}),
   * never a JSON tree it assembles itself. So no command uses Jackson's tree nodes ({@code ObjectNode},
   * {@code ArrayNode} …) or the mapper (reading a document a service returned, as
   * {@code hook results}' text does with {@code JsonNode}, is allowed).
   */
  @Test
  void commandsBuildNoJsonDocuments() {
    noClasses().that(aCommandExcept(java.util.Set.of()))
        .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson.databind.node..")
        .orShould().callMethod(dev.bitproof.json.Json.class, "mapper")
        .check(classes);
  }

  /**
   * Commands write no files: writing (an image, a lock, SBOMs, keys, recompressed blobs, a port file) is a service's
   * work, which makes it atomic and bounded in one place. Reading the command line's own paths (is it a directory?)
   * stays allowed.
   */
  @Test
  void commandsWriteNoFiles() {
    java.util.Set<String> writing = java.util.Set.of("write", "writeString", "newOutputStream", "newBufferedWriter",
        "move", "copy", "createFile", "createDirectory", "createDirectories", "createTempFile", "createTempDirectory",
        "delete", "deleteIfExists", "newByteChannel", "setPosixFilePermissions");
    noClasses().that(aCommandExcept(java.util.Set.of()))
        .should().callMethodWhere(DescribedPredicate.describe("a java.nio.file.Files method that writes",
            (com.tngtech.archunit.core.domain.JavaMethodCall call) ->
                call.getTargetOwner().isEquivalentTo(java.nio.file.Files.class) && writing.contains(call.getName())))
        .orShould().callConstructorWhere(DescribedPredicate.describe("a file writer's constructor",
            (com.tngtech.archunit.core.domain.JavaConstructorCall call) ->
                java.util.Set.of(java.io.FileOutputStream.class.getName(), java.io.FileWriter.class.getName(),
                    java.io.RandomAccessFile.class.getName()).contains(call.getTargetOwner().getName())))
        .check(classes);
  }

  /**
   * Commands print only through the one renderer: {@code Output.render} (a result), {@code printArtifact} (the
   * artifact a command makes, such as an SBOM) and {@code progress} (stderr); never a bare JSON document
   * ({@code printJson}: every document goes under the shared envelope), the raw writers, nor
   * {@code System.out}/{@code System.err}.
   */
  @Test
  void commandsPrintThroughTheRenderer() {
    noClasses().that(aCommandExcept(java.util.Set.of()))
        .should().callMethod(dev.bitproof.cli.render.Output.class, "out")
        .orShould().callMethod(dev.bitproof.cli.render.Output.class, "err")
        .orShould().callMethod(dev.bitproof.cli.render.Output.class, "printJson", Object.class)
        .orShould().accessField(System.class, "out")
        .orShould().accessField(System.class, "err")
        .check(classes);
  }

  private static JavaClass topLevel(JavaClass c) {
    JavaClass t = c;
    while (t.getEnclosingClass().isPresent()) {
      t = t.getEnclosingClass().get();
    }
    return t;
  }
}
