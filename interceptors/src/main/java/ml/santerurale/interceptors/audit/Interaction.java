package ml.santerurale.interceptors.audit;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;

/**
 * The FHIR interaction an audit event is about: its code in
 * {@code http://hl7.org/fhir/restful-interaction} (the event's subtype) and the DICOM action
 * (C, R, U, D, E) BALP pairs it with. Searches and type or system history are E (a query), as
 * in BALP; reads and instance history are R.
 */
enum Interaction {
    READ("read", "R"), VREAD("vread", "R"), HISTORY_INSTANCE("history-instance", "R"),
    SEARCH("search", "E"), SEARCH_TYPE("search-type", "E"), SEARCH_SYSTEM("search-system", "E"),
    HISTORY_TYPE("history-type", "E"), HISTORY_SYSTEM("history-system", "E"),
    CREATE("create", "C"), UPDATE("update", "U"), PATCH("patch", "U"), DELETE("delete", "D"),
    TRANSACTION("transaction", "E"), BATCH("batch", "E"), OPERATION("operation", "E");

    static final String SYSTEM = "http://hl7.org/fhir/restful-interaction";

    final String code;
    final String action;

    Interaction(String code, String action) {
        this.code = code;
        this.action = action;
    }

    /** The interaction of a REST request; null for those not audited (metadata, unknown). */
    static Interaction of(RestOperationTypeEnum operation) {
        if (operation == null) {
            return null;
        }
        return switch (operation) {
            case READ -> READ;
            case VREAD -> VREAD;
            case HISTORY_INSTANCE -> HISTORY_INSTANCE;
            case HISTORY_TYPE -> HISTORY_TYPE;
            case HISTORY_SYSTEM -> HISTORY_SYSTEM;
            case SEARCH_TYPE -> SEARCH_TYPE;
            case SEARCH_SYSTEM -> SEARCH_SYSTEM;
            case GET_PAGE -> SEARCH;
            case CREATE -> CREATE;
            case UPDATE -> UPDATE;
            case PATCH -> PATCH;
            case DELETE -> DELETE;
            case TRANSACTION -> TRANSACTION;
            case BATCH -> BATCH;
            case EXTENDED_OPERATION_SERVER, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_INSTANCE -> OPERATION;
            default -> null;
        };
    }

    boolean isQuery() {
        return action.equals("E") && this != TRANSACTION && this != BATCH && this != OPERATION;
    }
}
