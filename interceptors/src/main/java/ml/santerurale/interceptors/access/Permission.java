package ml.santerurale.interceptors.access;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import java.util.Locale;
import org.hl7.fhir.r4.model.CapabilityStatement;

/** What a role may do with a kind of resource. Deleting includes marking entered-in-error. */
public enum Permission {
    READ, SEARCH, HISTORY, CREATE, UPDATE, DELETE;

    static Permission parse(String value, String where) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PolicyException(where + ": unknown permission '" + value
                    + "' (known: read, search, history, create, update, delete)");
        }
    }

    /**
     * The permission a type-level interaction of a CapabilityStatement ({@code read},
     * {@code search-type}, {@code patch}...) needs, or null for one no role is granted.
     */
    public static Permission forInteraction(CapabilityStatement.TypeRestfulInteraction interaction) {
        return switch (interaction) {
            case READ, VREAD -> READ;
            case SEARCHTYPE -> SEARCH;
            case HISTORYINSTANCE, HISTORYTYPE -> HISTORY;
            case CREATE -> CREATE;
            case UPDATE, PATCH -> UPDATE;
            case DELETE -> DELETE;
            default -> null;
        };
    }

    /** The permission a REST interaction needs, or null when it is not a per-type interaction. */
    public static Permission forOperation(RestOperationTypeEnum operation) {
        return switch (operation) {
            case READ, VREAD -> READ;
            case SEARCH_TYPE, SEARCH_SYSTEM, GET_PAGE -> SEARCH;
            case HISTORY_INSTANCE, HISTORY_TYPE, HISTORY_SYSTEM -> HISTORY;
            case CREATE -> CREATE;
            case UPDATE, PATCH -> UPDATE;
            case DELETE -> DELETE;
            default -> null;
        };
    }
}
