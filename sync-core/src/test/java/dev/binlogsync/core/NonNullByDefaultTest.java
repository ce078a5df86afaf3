package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.annotation.Nonnull;
import javax.annotation.meta.TypeQualifierDefault;
import org.junit.jupiter.api.Test;

/** The null policy: one jsr305 default that every package of sync-core declares. */
class NonNullByDefaultTest {

    @Test
    void theDefaultMakesParametersReturnValuesAndFieldsNonNull() {
        assertNotNull(NonNullByDefault.class.getAnnotation(Nonnull.class), "meta-annotated @Nonnull");
        TypeQualifierDefault scope = NonNullByDefault.class.getAnnotation(TypeQualifierDefault.class);
        assertNotNull(scope, "meta-annotated @TypeQualifierDefault");
        assertEquals(Set.of(ElementType.PARAMETER, ElementType.METHOD, ElementType.FIELD), Set.of(scope.value()));
        assertEquals(RetentionPolicy.RUNTIME, NonNullByDefault.class.getAnnotation(Retention.class).value());
    }

    @Test
    void everyPackageOfTheModuleDeclaresTheDefault() throws IOException, URISyntaxException {
        Path classes = Path.of(NonNullByDefault.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> packages;
        try (Stream<Path> files = Files.walk(classes)) {
            packages = files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f.getParent()).toString().replace(f.getFileSystem().getSeparator(), "."))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertTrue(packages.contains("dev.binlogsync.core"), "found the module's packages: " + packages);
        List<String> without = new ArrayList<>();
        for (String p : packages) {
            Class<?> info;
            try {
                info = Class.forName(p + ".package-info");
            } catch (ClassNotFoundException e) {
                without.add(p + " (no package-info.java)");
                continue;
            }
            if (!info.isAnnotationPresent(NonNullByDefault.class)) {
                without.add(p);
            }
        }
        assertFalse(packages.isEmpty());
        assertEquals(List.of(), without, "packages without @NonNullByDefault");
    }
}
