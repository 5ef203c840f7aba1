package ml.santerurale.interceptors.access;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.interceptor.model.ReadPartitionIdRequestDetails;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.util.ICachedSearchDetails;
import ca.uhn.fhir.util.ResourceReferenceInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/**
 * Confines clinical data to the sites of the caller, in storage: each site is a HAPI partition,
 * every clinical resource is stored in the partition of the site it belongs to, and every read
 * (read, search, includes, chains, history at all levels, conditional match URLs, transaction
 * entries) is told before its query runs which partitions it may touch: the caller's sites plus
 * the default partition that holds shared reference data. Another site's resource therefore
 * answers exactly like a missing one.
 *
 * <p>Which site a new clinical resource belongs to: its site label ({@link SiteLabels}) if the
 * client set one, else its own site reference ({@code Patient.managingOrganization},
 * {@code Encounter.serviceProvider}), else the site of the patient or encounter it refers to,
 * else the caller's only site. The site must be one of the caller's; a caller at several sites
 * whose resource names none is asked to say which (400). The site is stamped as the label.
 *
 * <p>An active referral to one of the caller's sites opens the referring site's partition only
 * to reads that name the referred patient (or the referral) explicitly, of the types a referral
 * grants ({@link #REFERRED_TYPES}); what is loaded there is still filtered to that patient's record.
 *
 * <p>Three gaps of partitioning are closed here too: page links of a search serve only the user
 * who ran it (HAPI keeps no partition for cached searches); a written reference to a clinical
 * resource of another site is refused exactly as a reference to a missing one; and any loaded
 * resource outside the caller's partitions is dropped before it is returned (backstop).
 *
 * <p>Server-internal work ({@link SystemRequestDetails}) reads all partitions and writes shared
 * data to the default one. Counts of full-text searches on clinical data are refused (Lucene does
 * not know partitions). Does not guarantee: confinement of operations, none of which is enabled.
 */
@Interceptor
public class SitePartitioning {

    private static final String AUDIT_EVENT = "AuditEvent";

    private final AccessPolicy policy;
    private final SiteDirectory directory;
    private final SearchOwners searchOwners;
    private final FhirContext fhirContext;
    private final ReferralGrants referrals;
    private final StoredMatches storedMatches;
    /** Backstop passes decided from storage alone, and passes that loaded the resources. */
    private final java.util.concurrent.atomic.AtomicLong passesWithoutLoading = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong passesLoading = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong siteLookups = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Where each clinical type names the patient it is about: what a referral grant opens at the
     * referring site, besides the Patient and the ServiceRequest themselves. Provenance, Binary and
     * the types not listed are never opened by a referral.
     */
    static final java.util.Map<String, String> OWN_PATIENT = java.util.Map.of(
            "Encounter", "Encounter.subject",
            "Observation", "Observation.subject",
            "Condition", "Condition.subject",
            "MedicationRequest", "MedicationRequest.subject",
            "Procedure", "Procedure.subject",
            "ServiceRequest", "ServiceRequest.subject",
            "DocumentReference", "DocumentReference.subject",
            "Consent", "Consent.patient");

    /**
     * The types a referral can open at the referring site: the patient, the referral, and the
     * patient's own records. A read of any other type (a Provenance naming the patient, say) stays
     * within the caller's sites: the backstop would drop every such record at the referring site
     * anyway, but a count ({@code _summary=count}) is not loaded, so it would have counted them.
     */
    static final Set<String> REFERRED_TYPES;

    static {
        Set<String> types = new java.util.HashSet<>(OWN_PATIENT.keySet());
        types.add("Patient");
        types.add("ServiceRequest");
        REFERRED_TYPES = Set.copyOf(types);
    }

    private static final String GRANTS_KEY = SitePartitioning.class.getName() + ".grants";
    private static final String SITES_KEY = SitePartitioning.class.getName() + ".sites";
    private static final String POSTED_KEY = SitePartitioning.class.getName() + ".posted";

    private final java.util.function.Supplier<ca.uhn.fhir.jpa.searchparam.extractor.IResourceLinkResolver> linkResolver;

    /**
     * @param linkResolver HAPI's reference resolver (looked up when first needed), used to resolve
     *     a written reference within the caller's reach, so that HAPI itself refuses one to another
     *     site's record in exactly the words it uses for a missing one
     */
    public SitePartitioning(AccessPolicy policy, SiteDirectory directory, SearchOwners searchOwners,
            FhirContext fhirContext, ReferralGrants referrals,
            java.util.function.Supplier<ca.uhn.fhir.jpa.searchparam.extractor.IResourceLinkResolver> linkResolver) {
        this(policy, directory, searchOwners, fhirContext, referrals, linkResolver, StoredMatches.UNKNOWN);
    }

    /**
     * @param storedMatches where the matches of a search live, read without loading them: the
     *     backstop loads resources only when a match is not plainly within the caller's reach
     */
    public SitePartitioning(AccessPolicy policy, SiteDirectory directory, SearchOwners searchOwners,
            FhirContext fhirContext, ReferralGrants referrals,
            java.util.function.Supplier<ca.uhn.fhir.jpa.searchparam.extractor.IResourceLinkResolver> linkResolver,
            StoredMatches storedMatches) {
        this.storedMatches = storedMatches;
        this.policy = policy;
        this.directory = directory;
        this.searchOwners = searchOwners;
        this.fhirContext = fhirContext;
        this.referrals = referrals;
        this.linkResolver = linkResolver;
    }

    /**
     * Resolves a reference being written within what the writer may reach: their sites, the shared
     * reference data, and a referred patient (or referral) at the referring site. A reference to
     * another site's clinical record is therefore not found, and HAPI refuses it with its own
     * message (HAPI-1094) and path, identical to a reference to a missing record. Server-internal
     * writes and references to reference data resolve everywhere.
     */
    @Hook(Pointcut.JPA_RESOLVE_CROSS_PARTITION_REFERENCE)
    public ca.uhn.fhir.jpa.model.cross.IResourceLookup<?> resolveWithinReach(
            ca.uhn.fhir.jpa.searchparam.extractor.CrossPartitionReferenceDetails details) {
        RequestDetails requestDetails = details.getRequestDetails();
        IIdType target = details.getPathAndRef().getRef() == null ? null
                : details.getPathAndRef().getRef().getReferenceElement();
        RequestPartitionId where = RequestPartitionId.allPartitions();
        Optional<Caller> caller = Caller.of(requestDetails);
        if (caller.isPresent() && target != null && target.hasResourceType() && policy.isClinical(target.getResourceType())) {
            Set<String> sites = knownSites(caller.get());
            Set<String> names = new LinkedHashSet<>(sites);
            if (target.hasIdPart() && referredPatient(requestDetails, target, sites)) {
                grantsFor(requestDetails, sites).stream()
                        .filter(g -> g.patientId().equals(target.getIdPart()) || g.serviceRequestId().equals(target.getIdPart()))
                        .forEach(g -> names.add(g.fromSite()));
            }
            // Resolved here to ids (HAPI's resolver takes no names), the default partition's id being null.
            List<Integer> ids = new ArrayList<>();
            List<String> resolvedNames = new ArrayList<>();
            for (String name : names) {
                directory.partitionOf(name).ifPresent(id -> {
                    ids.add(id);
                    resolvedNames.add(name);
                });
            }
            ids.add(null);
            resolvedNames.add(ca.uhn.fhir.jpa.model.util.JpaConstants.DEFAULT_PARTITION_NAME);
            where = RequestPartitionId.forPartitionIdsAndNames(resolvedNames, ids, null);
        }
        return linkResolver.get().findTargetResource(where, details.getSourceResourceName(), details.getPathAndRef(),
                requestDetails, details.getTransactionDetails());
    }

    @Hook(Pointcut.STORAGE_PARTITION_IDENTIFY_CREATE)
    public RequestPartitionId partitionForCreate(IBaseResource resource, RequestDetails requestDetails) {
        if (AUDIT_EVENT.equals(resource.fhirType())) {
            return SiteLabels.siteOf(resource).filter(directory::isSite)
                    .map(RequestPartitionId::fromPartitionName).orElse(RequestPartitionId.defaultPartition());
        }
        if (!policy.isClinical(resource.fhirType())) {
            return RequestPartitionId.defaultPartition();
        }
        Optional<Caller> caller = Caller.of(requestDetails);
        if (caller.isEmpty()) {
            if (isSystem(requestDetails)) {
                return SiteLabels.siteOf(resource).filter(directory::isSite)
                        .map(RequestPartitionId::fromPartitionName)
                        .orElseThrow(() -> new InvalidRequestException("A clinical resource written by the server must carry its site label"));
            }
            throw AccessDenied.forbidden("No caller is known for this write", null);
        }
        String site = existingSite((Resource) resource, caller.get(), requestDetails)
                .orElseGet(() -> owningSite((Resource) resource, caller.get(), requestDetails));
        SiteLabels.stamp((Resource) resource, site);
        return RequestPartitionId.fromPartitionName(site);
    }

    @Hook(Pointcut.STORAGE_PARTITION_IDENTIFY_READ)
    public RequestPartitionId partitionsForRead(RequestDetails requestDetails, ReadPartitionIdRequestDetails details) {
        Optional<Caller> caller = Caller.of(requestDetails);
        if (caller.isEmpty()) {
            if (isSystem(requestDetails)) {
                return RequestPartitionId.allPartitions();
            }
            throw AccessDenied.forbidden("No caller is known for this read", null);
        }
        if (requestDetails.getRestOperationType() == RestOperationTypeEnum.GET_PAGE) {
            requireOwnSearch(requestDetails, caller.get());
        }
        String type = details.getResourceType();
        if (AUDIT_EVENT.equals(type)) {
            return auditPartitions(caller.get());
        }
        if (type != null && !policy.isClinical(type)) {
            return RequestPartitionId.defaultPartition();
        }
        Set<String> sites = knownSites(caller.get());
        Set<String> names = new LinkedHashSet<>(sites);
        if (type == null || REFERRED_TYPES.contains(type)) {
            names.addAll(referringSitesFor(requestDetails, details, sites));
        }
        // A caller attached to no known site keeps the default partition even for a read by id: HAPI
        // fails (500) on an empty partition list, and no clinical record is found there (404).
        if (!isReadById(details) || names.isEmpty()) {
            names.add(ca.uhn.fhir.jpa.model.util.JpaConstants.DEFAULT_PARTITION_NAME);
        }
        return RequestPartitionId.fromPartitionNames(new ArrayList<>(names));
    }

    /**
     * A read or vread of one clinical record by id: no clinical record is ever stored in the
     * default partition ({@link #partitionForCreate}), and a read by id has no includes or chains
     * that could reach shared reference data, so the default partition is left out. With one site,
     * HAPI then reads the record with a single-partition query, whose plan Hibernate caches,
     * instead of the {@code partition IN (...) OR partition IS NULL} form it re-translates from
     * SQM on every read (a collection parameter is not cacheable); the answer is the same.
     */
    private static boolean isReadById(ReadPartitionIdRequestDetails details) {
        RestOperationTypeEnum operation = details.getRestOperationType();
        return operation == RestOperationTypeEnum.READ || operation == RestOperationTypeEnum.VREAD;
    }

    /**
     * Where the records a transaction Bundle writes or refers to live, looked up in one query
     * before its entries run, instead of one query per entry and reference (each entry's site is
     * asked for at least twice by HAPI, and every reference is checked): on a 100-entry Bundle
     * that was some 200 round trips to the database. Entries and references to records the
     * Bundle creates are found missing, as they would be before it runs, and a POST entry is not
     * looked up at all (it was two queries per entry: HAPI asks for its partition under its
     * placeholder, then under the id it assigns).
     * Only for transactions: a batch's entries commit one by one, so a later entry may see an
     * earlier one's record.
     */
    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void lookUpTransactionSites(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        if (operation != RestOperationTypeEnum.TRANSACTION || Caller.of(requestDetails).isEmpty()
                || !(requestDetails.getResource() instanceof org.hl7.fhir.r4.model.Bundle bundle)) {
            return;
        }
        if (knownSites(Caller.of(requestDetails).get()).size() > 1) {
            new BundleSites(bundle, directory::isSite).stampInferred();
        }
        Set<String> references = new LinkedHashSet<>();
        // The resources of the POST entries, by identity: HAPI creates each from this very object.
        Set<IBaseResource> posted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (org.hl7.fhir.r4.model.Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            if (entry.getRequest().getMethod() == org.hl7.fhir.r4.model.Bundle.HTTPVerb.POST && entry.getResource() != null) {
                posted.add(entry.getResource());
            }
            String url = entry.getRequest().getUrl();
            String type = ml.santerurale.interceptors.guard.BundleEntryUrls.resourceType(url);
            String id = ml.santerurale.interceptors.guard.BundleEntryUrls.resourceId(url);
            if (type != null && id != null && policy.isClinical(type) && !url.contains("?")) {
                references.add(type + "/" + id);
            }
            if (entry.getResource() != null) {
                for (ResourceReferenceInfo info : fhirContext.newTerser().getAllResourceReferences(entry.getResource())) {
                    IIdType target = info.getResourceReference().getReferenceElement();
                    if (target != null && target.hasResourceType() && target.hasIdPart() && !target.isAbsolute()
                            && policy.isClinical(target.getResourceType())) {
                        references.add(target.getResourceType() + "/" + target.getIdPart());
                    }
                }
            }
        }
        if (!posted.isEmpty()) {
            requestDetails.getUserData().put(POSTED_KEY, posted);
        }
        if (references.isEmpty()) {
            return;
        }
        java.util.Map<String, String> found = directory.sitesOfResources(references);
        java.util.Map<String, Optional<String>> cache = siteCache(requestDetails);
        references.forEach(reference -> cache.putIfAbsent(reference, Optional.ofNullable(found.get(reference))));
    }

    /**
     * Full-text matching (Lucene) does not know partitions: its results are narrowed to the
     * caller's partitions by the database query that follows, but HAPI answers a count of a
     * full-text search from Lucene alone, which would include other sites' records. So a count of a
     * full-text search on clinical data or the audit trail is refused, whatever asks for it
     * ({@code _summary=count}, {@code _total=accurate|estimate}, {@code _count=0}).
     */
    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void refuseFullTextCounts(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        if (operation != RestOperationTypeEnum.SEARCH_TYPE && operation != RestOperationTypeEnum.SEARCH_SYSTEM) {
            return;
        }
        var parameters = requestDetails.getParameters();
        boolean fullText = parameters.containsKey("_content") || parameters.containsKey("_text");
        boolean counts = java.util.Arrays.stream(parameters.getOrDefault("_total", new String[0])).anyMatch(t -> !"none".equals(t))
                || java.util.Arrays.asList(parameters.getOrDefault("_summary", new String[0])).contains("count")
                || java.util.Arrays.stream(parameters.getOrDefault("_count", new String[0])).anyMatch(c -> c.trim().matches("0+"));
        String type = requestDetails.getResourceName();
        if (fullText && counts && (type == null || policy.kindOf(type) != AccessPolicy.Kind.REFERENCE)) {
            String message = "Counting the matches of a full-text search (_content, _text) is not available on clinical data";
            OperationOutcome outcome = new OperationOutcome();
            outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(OperationOutcome.IssueType.NOTSUPPORTED).setDiagnostics(message);
            throw new InvalidRequestException(message, outcome);
        }
    }

    /**
     * Audit events of a site live in its partition (those of national or multi-site users in the
     * default one): a role with audit scope "all" reads every partition, "own-sites" its sites'.
     */
    private RequestPartitionId auditPartitions(Caller caller) {
        AuditReach reach = auditReach(caller);
        return reach.all() ? RequestPartitionId.allPartitions() : RequestPartitionId.fromPartitionNames(new ArrayList<>(reach.sites()));
    }

    /**
     * Whose audit events this request may read: the server itself and a role with audit scope
     * "all" every event, "own-sites" those of the caller's sites; anyone else is refused (403),
     * as is a request with no caller that is not the server's.
     */
    public AuditReach auditReach(RequestDetails requestDetails) {
        Optional<Caller> caller = Caller.of(requestDetails);
        if (caller.isEmpty()) {
            if (isSystem(requestDetails)) {
                return AuditReach.everywhere();
            }
            throw AccessDenied.forbidden("No caller is known for this read", null);
        }
        return auditReach(caller.get());
    }

    private AuditReach auditReach(Caller caller) {
        return switch (policy.auditScope(caller.roles())) {
            case ALL -> AuditReach.everywhere();
            case OWN_SITES -> {
                Set<String> sites = knownSites(caller);
                if (sites.isEmpty()) {
                    throw AccessDenied.forbidden("Your account is attached to no site whose audit trail you could read", null);
                }
                yield new AuditReach(false, sites);
            }
            case NONE -> throw AccessDenied.forbidden("Your role may not read the audit trail", null);
        };
    }

    @Hook(Pointcut.STORAGE_PRESEARCH_REGISTERED)
    public void rememberWhoSearched(ICachedSearchDetails search, RequestDetails requestDetails) {
        if (search != null && search.getUuid() != null) {
            Caller.of(requestDetails).ifPresent(c -> searchOwners.record(search.getUuid(), c.subject()));
        }
    }

    @Hook(Pointcut.STORAGE_PREACCESS_RESOURCES)
    public void dropOtherSites(IPreResourceAccessDetails details, RequestDetails requestDetails) {
        Optional<Caller> caller = Caller.of(requestDetails);
        if (caller.isEmpty()) {
            return;
        }
        Set<String> sites = knownSites(caller.get());
        if (details.size() > 0 && allWithinReach(details, caller.get(), sites)) {
            passesWithoutLoading.incrementAndGet();
            return;
        }
        passesLoading.incrementAndGet();
        Set<ReferralGrants.Grant> grants = null;
        for (int i = 0; i < details.size(); i++) {
            IBaseResource resource = details.getResource(i);
            if (resource == null) {
                continue;
            }
            Integer partition = RequestPartitionId.getPartitionIfAssigned(resource)
                    .map(RequestPartitionId::getFirstPartitionIdOrNull).orElse(null);
            if (!policy.allows(caller.get().roles(), resource.fhirType(), Permission.READ)
                    && !policy.allows(caller.get().roles(), resource.fhirType(), Permission.SEARCH)) {
                details.setDontReturnResourceAtIndex(i);
                continue;
            }
            if (AUDIT_EVENT.equals(resource.fhirType())) {
                // The audit trail goes by audit scope only (never by referral), whatever search reached it.
                AccessPolicy.AuditScope scope = policy.auditScope(caller.get().roles());
                // Events of the audit store carry no partition: their site is their label, as stored.
                Optional<String> eventSite = partition != null ? directory.siteOfPartition(partition)
                        : SiteLabels.siteOf(resource).filter(directory::isSite);
                boolean ownSite = eventSite.filter(sites::contains).isPresent();
                if (scope != AccessPolicy.AuditScope.ALL && !(scope == AccessPolicy.AuditScope.OWN_SITES && ownSite)) {
                    details.setDontReturnResourceAtIndex(i);
                }
                continue;
            }
            if (partition == null || directory.siteOfPartition(partition).filter(sites::contains).isPresent()) {
                continue;
            }
            if (grants == null) {
                grants = grantsFor(requestDetails, sites);
            }
            if (!isGranted(resource, grants)) {
                details.setDontReturnResourceAtIndex(i);
            }
        }
    }

    /**
     * Whether storage alone shows every match within the caller's reach, as the loop of
     * {@link #dropOtherSites} would find it: a type the caller's role may read or search, not an
     * AuditEvent (those go by audit scope), in the default partition or one of the caller's sites.
     * Anything else (a referral's record at another site, a match storage cannot describe) is
     * decided on the loaded resources.
     */
    private boolean allWithinReach(IPreResourceAccessDetails details, Caller caller, Set<String> sites) {
        Optional<List<StoredMatches.Match>> matches = storedMatches.of(details);
        if (matches.isEmpty() || matches.get().size() != details.size()) {
            return false;
        }
        for (StoredMatches.Match match : matches.get()) {
            if (match.type() == null || AUDIT_EVENT.equals(match.type())
                    || !policy.allows(caller.roles(), match.type(), Permission.READ)
                            && !policy.allows(caller.roles(), match.type(), Permission.SEARCH)
                    || match.partition() != null
                            && directory.siteOfPartition(match.partition()).filter(sites::contains).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Backstop passes decided without loading the matches (see {@link StoredMatches}). */
    public long passesWithoutLoading() {
        return passesWithoutLoading.get();
    }

    /** Backstop passes that loaded the matches to decide. */
    public long passesLoading() {
        return passesLoading.get();
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void refuseReferencesToOtherSitesOnCreate(IBaseResource resource, RequestDetails requestDetails) {
        refuseReferencesToOtherSites(resource, requestDetails);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void keepSiteOnUpdate(IBaseResource oldResource, IBaseResource newResource, RequestDetails requestDetails) {
        if (policy.isClinical(newResource.fhirType()) && newResource instanceof Resource updated) {
            Optional<String> site = SiteLabels.siteOf(oldResource);
            Optional<String> asked = SiteLabels.siteOf(updated);
            if (site.isPresent() && asked.isPresent() && !asked.equals(site)) {
                throw AccessDenied.forbidden("A record cannot be moved to another site by an update", "meta.security");
            }
            site.ifPresent(s -> SiteLabels.stamp(updated, s));
        }
        refuseReferencesToOtherSites(newResource, requestDetails);
    }

    private void refuseReferencesToOtherSites(IBaseResource resource, RequestDetails requestDetails) {
        Optional<Caller> caller = Caller.of(requestDetails);
        if (caller.isEmpty()) {
            return;
        }
        Set<String> sites = knownSites(caller.get());
        for (ResourceReferenceInfo info : fhirContext.newTerser().getAllResourceReferences(resource)) {
            IIdType target = info.getResourceReference().getReferenceElement();
            if (target == null || !target.hasResourceType() || !target.hasIdPart() || target.isAbsolute()
                    || !policy.isClinical(target.getResourceType())) {
                continue;
            }
            Optional<String> site = siteOf(requestDetails, target.getResourceType(), target.getIdPart());
            if (site.isPresent() && !sites.contains(site.get()) && !referredPatient(requestDetails, target, sites)
                    && !indexedByHapi(resource.fhirType(), info.getName(), target.getResourceType())) {
                // Worded exactly as HAPI words a reference to a missing resource (HAPI-1094), so
                // existence does not leak.
                String message = "HAPI-1094: Resource " + target.getResourceType() + "/" + target.getIdPart()
                        + " not found, specified in path: " + hapiSourcePath(resource.fhirType(), info.getName(), target.getResourceType());
                OperationOutcome outcome = new OperationOutcome();
                outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                        .setCode(OperationOutcome.IssueType.PROCESSING).setDiagnostics(message);
                throw new InvalidRequestException(message, outcome);
            }
        }
    }

    /**
     * Whether HAPI resolves this reference itself when it stores the resource (a reference search
     * parameter indexes the element): then {@link #resolveWithinReach} makes HAPI refuse it.
     */
    private boolean indexedByHapi(String type, String element, String targetType) {
        return !hapiSourcePath(type, element, targetType).equals(UNINDEXED);
    }

    private static final String UNINDEXED = "";

    /**
     * The path HAPI names when it cannot resolve a reference: the expression of the first reference
     * search parameter (by name) that indexes the element, e.g.
     * {@code Observation.subject.where(resolve() is Patient)} for {@code patient} before
     * {@code subject}; the plain element path when no parameter indexes it.
     */
    private String hapiSourcePath(String type, String element, String targetType) {
        String plain = type + "." + element;
        String found = indexingPath(type, plain, targetType);
        return found.equals(UNINDEXED) ? plain : found;
    }

    private String indexingPath(String type, String plain, String targetType) {
        List<ca.uhn.fhir.context.RuntimeSearchParam> params = new ArrayList<>(fhirContext.getResourceDefinition(type).getSearchParams());
        params.sort(java.util.Comparator.comparing(ca.uhn.fhir.context.RuntimeSearchParam::getName));
        for (ca.uhn.fhir.context.RuntimeSearchParam param : params) {
            if (param.getParamType() != ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum.REFERENCE || param.getPath() == null) {
                continue;
            }
            for (String path : param.getPath().split("\\|")) {
                String expression = path.trim();
                if (expression.equals(plain) || expression.equals(plain + ".where(resolve() is " + targetType + ")")) {
                    return expression;
                }
            }
        }
        return UNINDEXED;
    }

    /**
     * An update of a record the caller can see stays where the record is: HAPI resolves updates
     * in the partition named here, so naming another one would be an attempt to move it.
     */
    private Optional<String> existingSite(Resource resource, Caller caller, RequestDetails requestDetails) {
        if (!resource.getIdElement().hasIdPart() || isPosted(resource, requestDetails)) {
            return Optional.empty();
        }
        Set<String> sites = knownSites(caller);
        String id = resource.getIdElement().getIdPart();
        Optional<String> existing = siteOf(requestDetails, resource.fhirType(), id)
                .filter(site -> sites.contains(site) || ("ServiceRequest".equals(resource.fhirType())
                        && grantsFor(requestDetails, sites).stream().anyMatch(g -> g.serviceRequestId().equals(id))));
        existing.ifPresent(site -> SiteLabels.siteOf(resource).filter(asked -> !asked.equals(site)).ifPresent(asked -> {
            throw AccessDenied.forbidden("A record cannot be moved to another site by an update", "meta.security");
        }));
        return existing;
    }

    /**
     * The referring sites whose partition this read may also touch: only when it names a referred
     * patient (or the referral) explicitly, by id or by a patient/subject/_id search parameter
     * whose every value is referred. Any other read stays within the caller's own sites, so
     * counts, history and conditional match URLs never reach into the referring site.
     */
    private Set<String> referringSitesFor(RequestDetails requestDetails, ReadPartitionIdRequestDetails details, Set<String> sites) {
        if (details.getConditionalTargetOrNull() != null) {
            return Set.of();
        }
        if ("ServiceRequest".equals(details.getResourceType()) && details.getSearchParams() != null
                && isIncomingReferralsWorklist(details.getSearchParams(), sites)) {
            Set<String> from = new LinkedHashSet<>();
            grantsFor(requestDetails, sites).forEach(g -> from.add(g.fromSite()));
            return from;
        }
        Set<String> named = new java.util.HashSet<>();
        IIdType readId = details.getReadResourceId();
        if (readId != null && readId.hasIdPart()) {
            if (!"Patient".equals(readId.getResourceType()) && !"ServiceRequest".equals(readId.getResourceType())) {
                return Set.of();
            }
            named.add(readId.getIdPart());
        } else if (details.getSearchParams() != null) {
            var params = details.getSearchParams();
            for (String name : List.of("patient", "subject", "_id")) {
                if (params.containsKey(name)) {
                    for (var and : params.get(name)) {
                        for (var or : and) {
                            String id = plainId(or);
                            if (id == null) {
                                return Set.of();
                            }
                            named.add(id);
                        }
                    }
                }
            }
        }
        if (named.isEmpty()) {
            return Set.of();
        }
        // Looked up only now: a read that names no patient (a name search) never needs the grants.
        Set<ReferralGrants.Grant> grants = grantsFor(requestDetails, sites);
        if (grants.isEmpty()) {
            return Set.of();
        }
        Set<String> from = new LinkedHashSet<>();
        for (String id : named) {
            Optional<ReferralGrants.Grant> grant = grants.stream()
                    .filter(g -> g.patientId().equals(id) || g.serviceRequestId().equals(id)).findFirst();
            if (grant.isEmpty()) {
                return Set.of();
            }
            from.add(grant.get().fromSite());
        }
        return from;
    }

    /**
     * A receiving site's worklist: {@code ServiceRequest?performer=Organization/<one of my sites>},
     * every value a plain reference to one of the caller's sites. It opens the partitions of the
     * sites that referred patients to the caller; what comes back from there is only the referrals
     * granted to the caller (the backstop drops the others), and their patients through
     * {@code _include=ServiceRequest:subject}.
     */
    private static boolean isIncomingReferralsWorklist(ca.uhn.fhir.jpa.searchparam.SearchParameterMap params, Set<String> sites) {
        if (!params.containsKey("performer")) {
            return false;
        }
        for (var and : params.get("performer")) {
            for (var or : and) {
                if (!(or instanceof ca.uhn.fhir.rest.param.ReferenceParam reference) || reference.getMissing() != null
                        || reference.getQueryParameterQualifier() != null || reference.getBaseUrl() != null
                        || (reference.getResourceType() != null && !"Organization".equals(reference.getResourceType()))
                        || reference.getIdPart() == null
                        || !sites.contains(reference.getIdPart().toUpperCase(java.util.Locale.ROOT))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The id a value names when it restricts the result to that record and nothing else: a plain
     * {@code _id}, or a plain reference (optionally typed {@code :Patient}/{@code :ServiceRequest}).
     * Null for anything negated, missing-tested, chained, identifier-based or otherwise modified, whose
     * matches are not that record.
     */
    private static String plainId(ca.uhn.fhir.model.api.IQueryParameterType value) {
        if (value instanceof ca.uhn.fhir.rest.param.ReferenceParam reference) {
            boolean plain = reference.getMissing() == null && reference.getQueryParameterQualifier() == null
                    && (reference.getResourceType() == null || "Patient".equals(reference.getResourceType())
                            || "ServiceRequest".equals(reference.getResourceType()))
                    && reference.getBaseUrl() == null && reference.getIdPart() != null
                    && !reference.getValue().contains("|");
            return plain ? reference.getIdPart() : null;
        }
        if (value instanceof ca.uhn.fhir.rest.param.TokenParam token) {
            boolean plain = token.getMissing() == null && token.getModifier() == null
                    && (token.getSystem() == null || token.getSystem().isEmpty()) && token.getValue() != null;
            return plain ? token.getValue() : null;
        }
        if (value instanceof ca.uhn.fhir.rest.param.StringParam string) {
            boolean plain = string.getMissing() == null && !string.isExact() && !string.isContains() && !string.isText();
            return plain ? string.getValue() : null;
        }
        return null;
    }

    private boolean referredPatient(RequestDetails requestDetails, IIdType target, Set<String> sites) {
        if (!"Patient".equals(target.getResourceType()) && !"ServiceRequest".equals(target.getResourceType())) {
            return false;
        }
        return grantsFor(requestDetails, sites).stream().anyMatch(g -> g.patientId().equals(target.getIdPart())
                || g.serviceRequestId().equals(target.getIdPart()));
    }

    private String owningSite(Resource resource, Caller caller, RequestDetails requestDetails) {
        Set<String> sites = knownSites(caller);
        // A caller at one site can only write there: the inherited site would be that one or none.
        Optional<String> chosen = SiteLabels.siteOf(resource)
                .or(() -> siteReference(resource))
                .or(() -> sites.size() == 1 ? Optional.empty() : inheritedSite(requestDetails, resource, sites));
        if (chosen.isPresent()) {
            if (!sites.contains(chosen.get())) {
                throw AccessDenied.forbidden("You may not record data for site " + chosen.get(), null);
            }
            return chosen.get();
        }
        if (sites.size() == 1) {
            return sites.iterator().next();
        }
        if (sites.isEmpty()) {
            throw AccessDenied.forbidden("Your account is attached to no site; clinical records need one", null);
        }
        throw new InvalidRequestException("You work at several sites " + sites + ": say which one this "
                + resource.fhirType() + " belongs to (Patient.managingOrganization, Encounter.serviceProvider, "
                + "or a meta.security label in " + SiteLabels.SYSTEM + ")");
    }

    private Optional<String> siteReference(Resource resource) {
        return BundleSites.ownSite(resource, directory::isSite);
    }

    /** The site of a patient or encounter of the caller's that the resource refers to. */
    private Optional<String> inheritedSite(RequestDetails requestDetails, Resource resource, Set<String> callerSites) {
        for (ResourceReferenceInfo info : fhirContext.newTerser().getAllResourceReferences(resource)) {
            IIdType target = info.getResourceReference().getReferenceElement();
            if (target != null && target.hasIdPart() && !target.isAbsolute()
                    && ("Patient".equals(target.getResourceType()) || "Encounter".equals(target.getResourceType()))) {
                Optional<String> site = siteOf(requestDetails, target.getResourceType(), target.getIdPart())
                        .filter(callerSites::contains);
                if (site.isPresent()) {
                    return site;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a resource of another site falls under a referral to the caller's site: the
     * referred patient, the referral itself, or a record of the referred patient's own
     * ({@link #OWN_PATIENT}: the patient it is about, not any patient it mentions). A record that
     * merely refers to the patient (another patient's {@code link}, a Condition they asserted) is
     * not granted, nor is the audit trail.
     */
    private boolean isGranted(IBaseResource resource, Set<ReferralGrants.Grant> grants) {
        if (grants.isEmpty()) {
            return false;
        }
        String id = resource.getIdElement().getIdPart();
        for (ReferralGrants.Grant grant : grants) {
            if (("Patient".equals(resource.fhirType()) && grant.patientId().equals(id))
                    || ("ServiceRequest".equals(resource.fhirType()) && grant.serviceRequestId().equals(id))) {
                return true;
            }
        }
        String path = OWN_PATIENT.get(resource.fhirType());
        if (path == null) {
            return false;
        }
        for (org.hl7.fhir.instance.model.api.IBaseReference reference
                : fhirContext.newTerser().getValues(resource, path, org.hl7.fhir.instance.model.api.IBaseReference.class)) {
            IIdType target = reference.getReferenceElement();
            if (target != null && "Patient".equals(target.getResourceType()) && target.hasIdPart()) {
                for (ReferralGrants.Grant grant : grants) {
                    if (grant.patientId().equals(target.getIdPart())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private void requireOwnSearch(RequestDetails requestDetails, Caller caller) {
        String[] uuid = requestDetails.getParameters().get("_getpages");
        String id = uuid == null || uuid.length == 0 ? "" : uuid[0];
        if (searchOwners.ownerOf(id).filter(caller.subject()::equals).isEmpty()) {
            // HAPI's own answer to an unknown or expired search id (HAPI-0417), so nothing leaks.
            throw new ResourceGoneException("HAPI-0417: Search ID \"" + id + "\" does not exist and may have expired");
        }
    }

    /**
     * The active referral grants to the caller's sites, looked up once per request (a
     * transaction's entries share it): a referral changed within the same request takes effect
     * from the next one.
     */
    @SuppressWarnings("unchecked")
    private Set<ReferralGrants.Grant> grantsFor(RequestDetails requestDetails, Set<String> sites) {
        if (requestDetails == null) {
            return referrals.activeTo(sites);
        }
        return (Set<ReferralGrants.Grant>) requestDetails.getUserData()
                .computeIfAbsent(GRANTS_KEY, k -> referrals.activeTo(sites));
    }

    /** Where a record lives, looked up once per request and record. */
    private Optional<String> siteOf(RequestDetails requestDetails, String type, String id) {
        if (requestDetails == null) {
            siteLookups.incrementAndGet();
            return directory.siteOfResource(type, id);
        }
        return siteCache(requestDetails).computeIfAbsent(type + "/" + id, k -> {
            siteLookups.incrementAndGet();
            return directory.siteOfResource(type, id);
        });
    }

    /** Lookups of where one stored resource lives that went to the database (the request's own lookups did not have it). */
    public long siteLookups() {
        return siteLookups.get();
    }

    /**
     * Whether this resource is being created by a POST (a create, or a transaction's POST entry):
     * its id is the entry's {@code urn:} placeholder (HAPI asks for every entry's partition before
     * it runs them) or the id HAPI has just assigned it, so no stored record has it and there is
     * nothing to look up.
     */
    private static boolean isPosted(Resource resource, RequestDetails requestDetails) {
        if (requestDetails == null) {
            return false;
        }
        if (requestDetails.getRestOperationType() == RestOperationTypeEnum.CREATE && requestDetails.getResource() == resource) {
            return true;
        }
        return requestDetails.getUserData().get(POSTED_KEY) instanceof Set<?> posted && posted.contains(resource);
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Optional<String>> siteCache(RequestDetails requestDetails) {
        return (java.util.Map<String, Optional<String>>) requestDetails.getUserData()
                .computeIfAbsent(SITES_KEY, k -> new java.util.concurrent.ConcurrentHashMap<String, Optional<String>>());
    }

    private Set<String> knownSites(Caller caller) {
        Set<String> known = new LinkedHashSet<>();
        caller.siteIds().stream().filter(directory::isSite).sorted().forEach(known::add);
        return known;
    }

    private static boolean isSystem(RequestDetails requestDetails) {
        return requestDetails == null || requestDetails instanceof SystemRequestDetails;
    }
}
