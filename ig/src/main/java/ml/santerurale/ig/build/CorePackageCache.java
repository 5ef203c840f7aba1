package ml.santerurale.ig.build;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * Build step: writes the FHIR package {@code hl7.fhir.r4.core#4.0.1} into a FHIR package cache
 * directory (the layout SUSHI reads, {@code <cache>/hl7.fhir.r4.core#4.0.1/package/}), rebuilt from
 * the R4 definitions HAPI publishes on Maven Central ({@code hapi-fhir-validation-resources-r4}).
 * The FHIR package registries are not reachable from the build machines and npm serves no
 * version of this package.
 *
 * <p>Usage: {@code CorePackageCache <cache directory>}. Does nothing when the package is already
 * there (its {@code package.json} is written last).
 */
public final class CorePackageCache {

    private static final String PACKAGE = "hl7.fhir.r4.core";
    private static final String VERSION = "4.0.1";
    private static final List<String> BUNDLES = List.of(
            "/org/hl7/fhir/r4/model/profile/profiles-types.xml",
            "/org/hl7/fhir/r4/model/profile/profiles-resources.xml",
            "/org/hl7/fhir/r4/model/profile/profiles-others.xml",
            "/org/hl7/fhir/r4/model/extension/extension-definitions.xml",
            "/org/hl7/fhir/r4/model/valueset/valuesets.xml",
            "/org/hl7/fhir/r4/model/valueset/v3-codesystems.xml",
            "/org/hl7/fhir/r4/model/valueset/v2-tables.xml");

    private CorePackageCache() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CorePackageCache <FHIR package cache directory>");
        }
        Path packageDir = Path.of(args[0]).resolve(PACKAGE + "#" + VERSION).resolve("package");
        Path manifest = packageDir.resolve("package.json");
        if (Files.exists(manifest)) {
            System.out.println("[ig] " + PACKAGE + "#" + VERSION + " already in " + packageDir);
            return;
        }
        long start = System.nanoTime();
        Files.createDirectories(packageDir);
        FhirContext context = FhirContext.forR4Cached();
        IParser xml = context.newXmlParser();
        IParser json = context.newJsonParser();
        Set<String> written = new HashSet<>();
        for (String bundlePath : BUNDLES) {
            try (InputStream in = CorePackageCache.class.getResourceAsStream(bundlePath)) {
                if (in == null) {
                    throw new IllegalStateException(bundlePath + " is not on the classpath (hapi-fhir-validation-resources-r4)");
                }
                Bundle bundle = xml.parseResource(Bundle.class, new InputStreamReader(in, StandardCharsets.UTF_8));
                for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                    Resource resource = entry.getResource();
                    if (resource == null || !resource.getIdElement().hasIdPart()) {
                        continue;
                    }
                    String name = resource.fhirType() + "-" + resource.getIdElement().getIdPart() + ".json";
                    if (written.add(name)) {
                        Files.writeString(packageDir.resolve(name), json.encodeResourceToString(resource), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        Files.writeString(manifest, """
                {
                  "name": "%s",
                  "version": "%s",
                  "type": "Core",
                  "fhirVersions": ["%s"],
                  "description": "FHIR R4 core definitions, rebuilt from ca.uhn.hapi.fhir:hapi-fhir-validation-resources-r4 for an offline build",
                  "license": "CC0-1.0",
                  "dependencies": {}
                }
                """.formatted(PACKAGE, VERSION, VERSION), StandardCharsets.UTF_8);
        System.out.printf("[ig] %s#%s: %d resources written to %s in %d ms%n", PACKAGE, VERSION, written.size(), packageDir,
                (System.nanoTime() - start) / 1_000_000);
    }
}
