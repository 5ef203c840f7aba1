package ml.santerurale.server.access;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import ml.santerurale.interceptors.access.ReferralGrants;
import ml.santerurale.interceptors.access.SiteLabels;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Referral grants in {@code srm_referral_grant}, kept in step with each ServiceRequest inside the
 * transaction that writes it (pre-commit hooks): an active order whose performer is another
 * site's Organization grants that site its patient; any other state removes the grant.
 *
 * <p>The active grants to a set of sites are kept in memory between requests (a read by id of a
 * Patient asked for them on every request) and read again after any change: every write of a
 * grant row moves a generation counter before the statement and again once its transaction has
 * completed, and a cached answer is used only while the generation it was read under is current.
 * So a request that starts after a referral's commit sees it, as before.
 *
 * <p>Does not grant through performers that are not sites (a Practitioner), nor through
 * referrals whose subject is not a Patient. The cache assumes this class writes every grant row
 * (true: nothing else writes {@code srm_referral_grant}) and one server per database (the
 * deployment runs one); a second server writing grants would not move this one's counter.
 */
@Interceptor
class JdbcReferralGrants implements ReferralGrants {

    private static final int MAX_CACHED_SITE_SETS = 1000;

    private record Cached(long generation, Set<Grant> grants) {}

    private final JdbcTemplate jdbc;
    private final AtomicLong generation = new AtomicLong();
    private final Map<Set<String>, Cached> bySites = new ConcurrentHashMap<>();

    JdbcReferralGrants(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Set<Grant> activeTo(Set<String> sites) {
        if (sites.isEmpty()) {
            return Set.of();
        }
        long current = generation.get();
        Cached cached = bySites.get(sites);
        if (cached != null && cached.generation() == current) {
            return cached.grants();
        }
        Set<Grant> grants = Set.copyOf(jdbc.query(
                "select from_site, to_site, patient_id, service_request_id from srm_referral_grant where to_site = any(?)",
                (rs, i) -> new Grant(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                (Object) sites.toArray(String[]::new)));
        if (bySites.size() >= MAX_CACHED_SITE_SETS) {
            bySites.clear();
        }
        bySites.put(Set.copyOf(sites), new Cached(current, grants));
        return grants;
    }

    /** Before a grant row is written: cached answers are stale now, and again once the write is committed. */
    private void grantsChanging() {
        generation.incrementAndGet();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    generation.incrementAndGet();
                }
            });
        }
    }

    /** After a grant row is written outside a managed transaction (its statement has committed). */
    private void grantsChanged() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            generation.incrementAndGet();
        }
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void referralCreated(IBaseResource resource) {
        record(resource);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void referralUpdated(IBaseResource oldResource, IBaseResource newResource) {
        record(newResource);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
    public void referralDeleted(IBaseResource resource) {
        if (resource instanceof ServiceRequest referral) {
            grantsChanging();
            jdbc.update("delete from srm_referral_grant where service_request_id = ?", referral.getIdElement().getIdPart());
            grantsChanged();
        }
    }

    private void record(IBaseResource resource) {
        if (!(resource instanceof ServiceRequest referral)) {
            return;
        }
        String id = referral.getIdElement().getIdPart();
        Set<Grant> wanted = grantsOf(referral, id);
        // Only what changed is deleted or inserted: each row's arrival and departure are
        // events of the receiving site's change feed (a scope entry or exit).
        Set<Grant> existing = new HashSet<>(jdbc.query(
                "select from_site, to_site, patient_id, service_request_id from srm_referral_grant where service_request_id = ?",
                (rs, i) -> new Grant(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)), id));
        for (Grant gone : existing) {
            if (!wanted.contains(gone)) {
                grantsChanging();
                jdbc.update("delete from srm_referral_grant where service_request_id = ? and to_site = ?", id, gone.toSite());
                grantsChanged();
            }
        }
        for (Grant added : wanted) {
            if (!existing.contains(added)) {
                // Only a performer that is one of our sites receives a grant (another organisation has no partition).
                grantsChanging();
                jdbc.update("insert into srm_referral_grant (service_request_id, to_site, from_site, patient_id)"
                        + " select ?, ?, ?, ? where exists (select 1 from hfj_partition where part_name = ?)",
                        id, added.toSite(), added.fromSite(), added.patientId(), added.toSite());
                grantsChanged();
            }
        }
    }

    private static Set<Grant> grantsOf(ServiceRequest referral, String id) {
        String fromSite = SiteLabels.siteOf(referral).orElse(null);
        String patient = referral.getSubject().getReferenceElement().getIdPart();
        if (fromSite == null || patient == null || !"Patient".equals(referral.getSubject().getReferenceElement().getResourceType())
                || referral.getStatus() != ServiceRequest.ServiceRequestStatus.ACTIVE) {
            return Set.of();
        }
        Set<Grant> grants = new LinkedHashSet<>();
        for (Reference performer : referral.getPerformer()) {
            SiteLabels.siteOfOrganization(performer.getReference()).filter(s -> !s.equals(fromSite))
                    .ifPresent(toSite -> grants.add(new Grant(fromSite, toSite, patient, id)));
        }
        return grants;
    }
}
