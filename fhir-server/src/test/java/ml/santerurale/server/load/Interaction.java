package ml.santerurale.server.load;

/** The requests the simulated sites make. */
public enum Interaction {
    /** A sync batch: one consultation (Patient, Encounter, Observation, Condition, MedicationRequest). */
    PUSH("push (sync batch)"),
    /** The change feed from the device's cursor, {@code _history?_since=}, every page. */
    PULL("pull (_history?_since)"),
    /** {@code Patient?name=<prefix>&_count=20}. */
    SEARCH("search Patient?name="),
    /** {@code Patient/<id>} of a patient the site recorded. */
    READ("read Patient/<id>");

    final String label;

    Interaction(String label) {
        this.label = label;
    }
}
