package ml.santerurale.server.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.model.DeleteConflictList;
import ca.uhn.fhir.jpa.delete.DeleteConflictOutcome;

/**
 * Lets a resource named by AuditEvents be deleted: HAPI refuses to delete a resource that others
 * reference (409), and every audited patient is referenced by its audit trail. Conflicts whose
 * source is an AuditEvent are dropped; any other conflict still refuses the delete. The events
 * keep their reference to the deleted resource, as an audit trail must.
 *
 * <p>({@code JpaStorageSettings.setEnforceReferentialIntegrityOnDeleteDisableForPaths} is only
 * read by HAPI 8.8.0's delete-expunge, not by a plain delete.)
 */
@Interceptor
final class AuditReferencesDoNotBlockDeletes {

    @Hook(Pointcut.STORAGE_PRESTORAGE_DELETE_CONFLICTS)
    public DeleteConflictOutcome ignoreAuditEventReferences(DeleteConflictList conflicts) {
        boolean removed = conflicts.removeIf(conflict -> "AuditEvent".equals(conflict.getSourceId().getResourceType()));
        // HAPI first looks for one referring record only: when that one was dropped here, it must
        // look again for more (up to JpaStorageSettings.maximumDeleteConflictQueryCount), or the
        // clinical records that still refer to the resource would be orphaned.
        return removed && conflicts.isEmpty() ? new DeleteConflictOutcome().setShouldRetryCount(1) : null;
    }
}
