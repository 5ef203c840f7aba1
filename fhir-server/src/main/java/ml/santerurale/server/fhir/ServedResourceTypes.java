package ml.santerurale.server.fhir;

import java.util.Set;
import java.util.TreeSet;

/** The resource types this server serves over REST; every other type is refused. */
public final class ServedResourceTypes {

    public static final Set<String> ALL = Set.copyOf(new TreeSet<>(Set.of(
            "Patient", "Encounter", "Condition", "MedicationRequest", "Procedure", "ServiceRequest",
            "Observation", "Organization", "Location", "Practitioner", "PractitionerRole",
            "DocumentReference", "Binary", "AuditEvent", "Consent", "Provenance")));

    private ServedResourceTypes() {}
}
