package dev.binlogsync.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wall between the library's API and its internals, checked on the main classes of the three
 * library modules (sync-core, sync-kafka, sync-elasticsearch) and of the published test-support
 * module sync-testing (package {@code dev.binlogsync.testing}), which this module sees together.
 * Test classes, the benchmarks and the examples are not published and are not imported.
 *
 * <ul>
 *   <li>A module never imports another module's {@code internal} packages: what another module
 *       needs is API (sync-testing, too, uses the library's API only).</li>
 *   <li>An {@code internal} package never imports the facade that wraps it (the public class that
 *       holds the internals together, such as {@code SyncPipeline} for {@code core.internal}); it may
 *       use the API's SPIs and values, and types both sides need stand on their own.</li>
 *   <li>No cycles between the library's packages, not counting an {@code internal} package's imports
 *       of its own module's API: internals implement that API (an engine takes a {@code Source}, a
 *       converter is a {@code FieldConverter}), and what they must not import, the facade, is the
 *       previous rule's business. So the API packages form no cycle, the internal packages form
 *       none, and an internal package never leads back to the API through another one.</li>
 * </ul>
 *
 * <p>Kept by ArchUnit rather than by hand-written class-path scanning: a well-kept library reads
 * every kind of dependency (signatures, generics, field accesses, calls, instanceof) from the
 * bytecode and reports each with its source line.
 */
class ArchitectureTest {
    private static final String[] MODULES = {"core", "kafka", "elasticsearch", "testing"};

    /** Per internal package, the facades it must not import (nested classes included). */
    private static final List<Facade> FACADES = List.of(
            new Facade("dev.binlogsync.core.internal..", "dev.binlogsync.core.SyncPipeline"),
            new Facade("dev.binlogsync.core.rules.internal..",
                    "dev.binlogsync.core.rules.TableRule", "dev.binlogsync.core.rules.Rules"),
            new Facade("dev.binlogsync.core.filter.internal..", "dev.binlogsync.core.filter.SqlFilter"),
            new Facade("dev.binlogsync.kafka.internal..",
                    "dev.binlogsync.kafka.KafkaSource", "dev.binlogsync.kafka.KafkaDeadLetterSink",
                    "dev.binlogsync.kafka.decode.CanalFlatMessageDecoder",
                    "dev.binlogsync.kafka.decode.DebeziumDecoder",
                    "dev.binlogsync.kafka.decode.MaxwellDecoder"),
            new Facade("dev.binlogsync.elasticsearch.internal..",
                    "dev.binlogsync.elasticsearch.ElasticsearchSink"));

    private static JavaClasses library;

    @BeforeAll
    static void importLibrary() {
        library = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.binlogsync.core", "dev.binlogsync.kafka", "dev.binlogsync.elasticsearch",
                        "dev.binlogsync.testing");
    }

    @Test
    void importsTheMainClassesOfTheLibraryModulesAndSyncTesting() {
        for (String module : MODULES) {
            String pkg = "dev.binlogsync." + module;
            assertTrue(library.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)), pkg);
        }
        for (JavaClass c : library) {
            String from = c.getSource().map(source -> source.getUri().toString()).orElse("");
            assertFalse(from.contains("/test-classes/") || from.contains("-tests.jar"),
                    "a test class was imported: " + c.getName() + " from " + from);
        }
    }

    @Test
    void noModuleImportsAnotherModulesInternals() {
        List<ArchRule> rules = new ArrayList<>();
        for (String module : MODULES) {
            String own = "dev.binlogsync." + module + "..";
            rules.add(noClasses().that().resideOutsideOfPackage(own)
                    .should().dependOnClassesThat().resideInAPackage("dev.binlogsync." + module + "..internal..")
                    .because("what another module needs from " + module + " is API"));
        }
        checkAll(rules);
    }

    @Test
    void noInternalPackageImportsItsOwnFacade() {
        List<ArchRule> rules = new ArrayList<>();
        for (Facade facade : FACADES) {
            for (String name : facade.classes) {
                assertTrue(library.contain(name), "facade " + name + " is gone: update this test");
            }
            rules.add(noClasses().that().resideInAPackage(facade.internal)
                    .should().dependOnClassesThat(facade.predicate())
                    .because("the facade wraps the internals; types both need stand on their own"));
        }
        checkAll(rules);
    }

    /** Evaluates every rule before failing, so one run reports every violation. */
    private static void checkAll(List<ArchRule> rules) {
        List<String> failures = new ArrayList<>();
        for (ArchRule rule : rules) {
            EvaluationResult result = rule.evaluate(library);
            if (result.hasViolation()) {
                failures.add(result.getFailureReport().toString());
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(String.join(System.lineSeparator(), failures));
        }
    }

    @Test
    void noCyclesBetweenTheLibrarysPackages() {
        SliceRule free = slices().assignedFrom(PACKAGES).should().beFreeOfCycles();
        for (String module : MODULES) {
            String pkg = "dev.binlogsync." + module;
            free = free.ignoreDependency(
                    JavaClass.Predicates.resideInAPackage(pkg + "..internal.."),
                    JavaClass.Predicates.resideInAPackage(pkg + "..")
                            .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage(pkg + "..internal.."))));
        }
        free.check(library);
    }

    /** Each package is a slice of its own. */
    private static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            return SliceIdentifier.of(javaClass.getPackageName());
        }

        @Override
        public String getDescription() {
            return "packages";
        }
    };

    private record Facade(String internal, String... classes) {
        DescribedPredicate<JavaClass> predicate() {
            return DescribedPredicate.describe("belong to the facade " + String.join(", ", classes), c -> {
                for (String name : classes) {
                    if (c.getName().equals(name) || c.getName().startsWith(name + "$")) {
                        return true;
                    }
                }
                return false;
            });
        }
    }
}
