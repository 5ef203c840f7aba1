package ml.santerurale.interceptors.smart;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;

/**
 * The five permissions of a SMART App Launch 2 scope ({@code c r u d s}), in the order the scope
 * syntax requires. {@code r} covers read, vread and an instance's history; {@code s} covers
 * searches, paging and type or system history.
 */
public enum SmartAction {
    CREATE('c'), READ('r'), UPDATE('u'), DELETE('d'), SEARCH('s');

    public final char letter;

    SmartAction(char letter) {
        this.letter = letter;
    }

    /** The action a REST interaction needs, or null for one that is not a per-type interaction. */
    public static SmartAction forOperation(RestOperationTypeEnum operation) {
        return switch (operation) {
            case READ, VREAD, HISTORY_INSTANCE -> READ;
            case SEARCH_TYPE, SEARCH_SYSTEM, GET_PAGE, HISTORY_TYPE, HISTORY_SYSTEM -> SEARCH;
            case CREATE -> CREATE;
            case UPDATE, PATCH -> UPDATE;
            case DELETE -> DELETE;
            default -> null;
        };
    }
}
