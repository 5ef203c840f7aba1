package ml.santerurale.server.sync;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ml.santerurale.server.fhir.CurrentVersions;
import ml.santerurale.server.fhir.StoredJson;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Loads the stored versions a feed page shows in one SQL statement ({@link CurrentVersions#VERSIONS}:
 * each version with its resource's id and the version's own tags), parsed by HAPI's own storage
 * parser, so an entry is what a HAPI read of that version returns (meta, tags, source) without
 * one read per entry; each with the JSON HAPI's encoder would write for it ({@link StoredJson}),
 * when that can be made from the stored text. A version not stored as JSON text goes through
 * HAPI's entities (one JPQL query for all such versions of the page).
 *
 * <p>Does not apply access rules nor fire storage hooks: the caller has already narrowed the
 * versions to the reader's sites and types.
 */
final class StoredVersions {

    /** Versions of a page, their resource rows and their own tags (HAPI's default VERSIONED tag storage), fetched together. */
    private static final String BY_VERSION_PID = "select distinct h from ResourceHistoryTable h"
            + " join fetch h.myResourceTable r left join fetch h.myTags t left join fetch t.myTag"
            + " where h.myId.myVersionId in :pids";

    private final JdbcTemplate jdbc;
    private final FhirContext fhirContext;
    private final EntityManager entityManager;
    private final IJpaStorageResourceParser parser;
    private final TransactionTemplate readOnly;

    StoredVersions(JdbcTemplate jdbc, FhirContext fhirContext, EntityManager entityManager, IJpaStorageResourceParser parser,
            PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.fhirContext = fhirContext;
        this.entityManager = entityManager;
        this.parser = parser;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    /** A stored version and the JSON HAPI would encode it as (null: let HAPI encode it). */
    record Stored(IBaseResource resource, String json) {}

    /** The resources of the given {@code HFJ_RES_VER} rows, by row id; a row that no longer exists is absent. */
    Map<Long, Stored> byVersionPid(Collection<Long> versionPids) {
        if (versionPids.isEmpty()) {
            return Map.of();
        }
        Map<Long, Stored> resources = new HashMap<>(versionPids.size() * 2);
        List<Long> throughHapi = new ArrayList<>();
        jdbc.query(CurrentVersions.VERSIONS, rs -> {
            long pid = rs.getLong(14);
            CurrentVersions.Current row = CurrentVersions.row(rs);
            if (!row.servable()) {
                throughHapi.add(pid);
                return;
            }
            ResourceHistoryTable version = row.version();
            Class<? extends IBaseResource> type = fhirContext.getResourceDefinition(version.getResourceType()).getImplementingClass();
            IBaseResource resource = parser.toResource(null, type, version, row.tags(), true);
            resources.put(pid, new Stored(resource, StoredJson.of(resource, version.getResourceTextVc())));
        }, (Object) versionPids.toArray(Long[]::new));
        if (!throughHapi.isEmpty()) {
            readOnly.executeWithoutResult(status -> {
                for (ResourceHistoryTable version : entityManager.createQuery(BY_VERSION_PID, ResourceHistoryTable.class)
                        .setParameter("pids", throughHapi)
                        .getResultList()) {
                    resources.put(version.getId().getId(), new Stored(parser.toResource(version, true), null));
                }
            });
        }
        return resources;
    }
}
