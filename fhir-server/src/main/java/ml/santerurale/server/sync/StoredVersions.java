package ml.santerurale.server.sync;

import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import jakarta.persistence.EntityManager;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Loads the stored versions a feed page shows, all in one query: each version with its resource
 * row and the resource's tags (site labels), parsed by HAPI's own storage parser, so an entry is
 * what a HAPI read of that version returns (meta, tags, source) without one read per entry.
 *
 * <p>Does not apply access rules nor fire storage hooks: the caller has already narrowed the
 * versions to the reader's sites and types.
 */
final class StoredVersions {

    /** Versions of a page, their resource rows and their own tags (HAPI's default VERSIONED tag storage), fetched together. */
    private static final String BY_VERSION_PID = "select distinct h from ResourceHistoryTable h"
            + " join fetch h.myResourceTable r left join fetch h.myTags t left join fetch t.myTag"
            + " where h.myId.myVersionId in :pids";

    private final EntityManager entityManager;
    private final IJpaStorageResourceParser parser;
    private final TransactionTemplate readOnly;

    StoredVersions(EntityManager entityManager, IJpaStorageResourceParser parser, PlatformTransactionManager transactions) {
        this.entityManager = entityManager;
        this.parser = parser;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    /** The resources of the given {@code HFJ_RES_VER} rows, by row id; a row that no longer exists is absent. */
    Map<Long, IBaseResource> byVersionPid(Collection<Long> versionPids) {
        if (versionPids.isEmpty()) {
            return Map.of();
        }
        return readOnly.execute(status -> {
            List<ResourceHistoryTable> versions = entityManager.createQuery(BY_VERSION_PID, ResourceHistoryTable.class)
                    .setParameter("pids", versionPids)
                    .getResultList();
            Map<Long, IBaseResource> resources = new HashMap<>(versions.size() * 2);
            for (ResourceHistoryTable version : versions) {
                resources.put(version.getId().getId(), parser.toResource(version, true));
            }
            return resources;
        });
    }
}
