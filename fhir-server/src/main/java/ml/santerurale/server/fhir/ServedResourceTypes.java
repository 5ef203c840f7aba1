package ml.santerurale.server.fhir;

import java.util.Set;
import java.util.TreeSet;

/** The resource types this server serves over REST; every other type is refused. */
public final class ServedResourceTypes {

    /** Stored in the database, through HAPI's JPA resource providers. */
    public static final Set<String> STORED = Set.copyOf(new TreeSet<>(Set.of(
            "Patient", "Encounter", "Condition", "MedicationRequest", "Procedure", "ServiceRequest",
            "Observation", "Organization", "Location", "Practitioner", "PractitionerRole",
            "DocumentReference", "Binary", "AuditEvent", "Consent", "Provenance", "Measure", "MeasureReport")));

    /** The implementation guide's conformance resources, served read-only from the build (validation/). */
    public static final Set<String> CONFORMANCE = Set.of("StructureDefinition", "CodeSystem", "ValueSet");

    public static final Set<String> ALL;

    static {
        Set<String> all = new TreeSet<>(STORED);
        all.addAll(CONFORMANCE);
        ALL = Set.copyOf(all);
    }

    private ServedResourceTypes() {}
}
