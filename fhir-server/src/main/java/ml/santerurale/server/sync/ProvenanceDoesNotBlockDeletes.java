package ml.santerurale.server.sync;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.model.DeleteConflictList;
import ca.uhn.fhir.jpa.delete.DeleteConflictOutcome;

/**
 * A Provenance points at the versions a sync batch wrote; it records history and must not keep a
 * major from deleting a record entered in error (HAPI refuses deletes of referenced resources).
 * The Provenance keeps its versioned reference to what was deleted.
 */
@Interceptor
final class ProvenanceDoesNotBlockDeletes {

    @Hook(Pointcut.STORAGE_PRESTORAGE_DELETE_CONFLICTS)
    public DeleteConflictOutcome ignoreProvenanceReferences(DeleteConflictList conflicts) {
        boolean removed = conflicts.removeIf(conflict -> "Provenance".equals(conflict.getSourceId().getResourceType()));
        // HAPI first looks for one referring record only: when that one was dropped here, it must
        // look again for more (up to JpaStorageSettings.maximumDeleteConflictQueryCount), or the
        // clinical records that still refer to the resource would be orphaned.
        return removed && conflicts.isEmpty() ? new DeleteConflictOutcome().setShouldRetryCount(1) : null;
    }
}
