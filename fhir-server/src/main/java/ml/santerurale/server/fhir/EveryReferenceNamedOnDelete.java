package ml.santerurale.server.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.model.DeleteConflictList;
import ca.uhn.fhir.jpa.delete.DeleteConflictOutcome;
import ca.uhn.fhir.jpa.interceptor.CascadingDeleteInterceptor;

/**
 * A refused delete names every record that still refers to the resource, not only the first:
 * HAPI looks for one referring record first and stops there unless a hook asks it to look again.
 * This asks once (HAPI then looks for up to {@code JpaStorageSettings.maximumDeleteConflictQueryCount}),
 * after the hooks that drop AuditEvent and Provenance references and after HAPI's cascading delete,
 * which handles the conflicts itself when the client asked for it.
 *
 * <p>Does not guarantee: that more records than that maximum are named.
 */
@Interceptor
final class EveryReferenceNamedOnDelete {

    @Hook(value = Pointcut.STORAGE_PRESTORAGE_DELETE_CONFLICTS,
            order = CascadingDeleteInterceptor.CASCADING_DELETE_INTERCEPTOR_ORDER + 1)
    public DeleteConflictOutcome lookForEveryReference(DeleteConflictList conflicts) {
        return conflicts.isEmpty() ? null : new DeleteConflictOutcome().setShouldRetryCount(1);
    }
}
