package ml.santerurale.server.validation;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import ml.santerurale.ig.SanteRuraleIg;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;

/**
 * The guide's clinical examples with fresh ids (references among them follow), in writing order:
 * Patient, Encounter, the records, Provenance. Sites (Organization, Location) are left out: they
 * are the catalogue's and keep their ids.
 */
final class GuideExamples {

    private final List<Resource> resources;

    private GuideExamples(List<Resource> resources) {
        this.resources = resources;
    }

    static GuideExamples fresh(SanteRuraleIg ig, FhirContext fhirContext) {
        Map<String, String> ids = new HashMap<>();
        List<Resource> examples = new ArrayList<>();
        for (Resource example : ig.examples().values()) {
            if (example.fhirType().equals("Organization") || example.fhirType().equals("Location")) {
                continue;
            }
            ids.put(example.getIdElement().getIdPart(), UUID.randomUUID().toString());
            examples.add(example);
        }
        List<Resource> fresh = new ArrayList<>();
        for (Resource example : examples) {
            String json = fhirContext.newJsonParser().encodeResourceToString(example);
            for (Map.Entry<String, String> id : ids.entrySet()) {
                json = json.replace(id.getKey(), id.getValue());
            }
            fresh.add((Resource) fhirContext.newJsonParser().parseResource(json));
        }
        List<String> order = List.of("Patient", "Encounter");
        fresh.sort((a, b) -> Integer.compare(rank(order, a), rank(order, b)));
        return new GuideExamples(fresh);
    }

    private static int rank(List<String> order, Resource r) {
        int i = order.indexOf(r.fhirType());
        return i >= 0 ? i : r.fhirType().equals("Provenance") ? 99 : 10;
    }

    List<Resource> all() {
        return resources;
    }

    <T extends Resource> T first(Class<T> type) {
        return first(type, r -> true);
    }

    <T extends Resource> T first(Class<T> type, Predicate<T> matching) {
        return resources.stream().filter(type::isInstance).map(type::cast).filter(matching).findFirst()
                .orElseThrow(() -> new IllegalStateException("The guide has no such example " + type.getSimpleName()));
    }

    /** The vital sign of this LOINC code. */
    Observation vital(String loinc) {
        return first(Observation.class, o -> o.getCode().getCodingFirstRep().getCode().equals(loinc));
    }
}
