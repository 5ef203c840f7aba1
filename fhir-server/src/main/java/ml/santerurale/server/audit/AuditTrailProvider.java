package ml.santerurale.server.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.HookParams;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Patch;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.SimplePreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.SimplePreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.IPagingProvider;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.santerurale.interceptors.access.AuditReach;
import ml.santerurale.interceptors.access.SitePartitioning;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.IdType;

/**
 * The audit trail served read-only as AuditEvent from {@code srm_audit_event}: read, vread
 * (version 1, the only one) and search ({@link AuditTrailQuery}), newest first by default, in
 * pages of {@code _count} with next links. Every read and search is confined to the caller's
 * {@link AuditReach} in the query itself, so another site's event answers exactly like a missing
 * one (404, absent from searches and counts).
 *
 * <p>Pages are offsets into the answer as it stood at its first page: the first page fixes the
 * newest event it may show ({@value #THROUGH}, carried by the next links), so events appended
 * meanwhile neither shift nor repeat entries. A page link is a plain search: whoever follows it
 * gets their own reach, never the first caller's.
 *
 * <p>Writes and history are declared only so that HAPI hands them to the interceptors, where the
 * role matrix refuses them (403) for every role; if a policy ever granted one, these methods
 * refuse it again.
 * Transaction and batch entries never reach this provider; the role matrix refuses them too.
 */
final class AuditTrailProvider implements IResourceProvider {

    /** The parameter of page links that fixes the newest event a search may show. */
    static final String THROUGH = "_through";

    private final AuditEventStore store;
    private final SitePartitioning sites;
    private final FhirContext fhirContext;
    private final IPagingProvider paging;

    AuditTrailProvider(AuditEventStore store, SitePartitioning sites, FhirContext fhirContext, IPagingProvider paging) {
        this.store = store;
        this.sites = sites;
        this.fhirContext = fhirContext;
        this.paging = paging;
    }

    @Override
    public Class<AuditEvent> getResourceType() {
        return AuditEvent.class;
    }

    @Read(version = true)
    public AuditEvent read(@IdParam IdType id, RequestDetails request) {
        AuditReach reach = sites.auditReach(request);
        if (id.hasVersionIdPart() && !"1".equals(id.getVersionIdPart())) {
            throw notFound(id);
        }
        List<IBaseResource> found = store.read(id.getIdPart(), reach).map(json -> (IBaseResource) parse(json))
                .stream().toList();
        return shown(found, request).stream().map(AuditEvent.class::cast).findFirst().orElseThrow(() -> notFound(id));
    }

    @Search(allowUnknownParams = true)
    public IBundleProvider search(RequestDetails request) {
        AuditReach reach = sites.auditReach(request);
        Map<String, String[]> parameters = request.getParameters();
        AuditTrailQuery query = AuditTrailQuery.of(parameters, reach);
        long through = first(parameters, THROUGH).map(AuditTrailProvider::number).orElseGet(() -> {
            long last = store.lastPosition();
            Map<String, String[]> withThrough = new LinkedHashMap<>(parameters);
            withThrough.put(THROUGH, new String[] {Long.toString(last)});
            request.setParameters(withThrough);
            return last;
        });
        int offset = first(parameters, "_offset").map(v -> (int) number(v)).orElse(0);
        int count = first(parameters, "_count").map(v -> (int) Math.min(number(v), paging.getMaximumPageSize()))
                .orElse(paging.getDefaultPageSize());
        boolean total = first(parameters, "_summary").filter("count"::equals).isPresent()
                || first(parameters, "_total").filter(t -> !"none".equals(t)).isPresent() || count == 0;
        // One row more than the page tells whether a next page exists without counting.
        List<String> rows = count == 0 ? List.of() : store.search(query, through, offset, count + 1);
        List<IBaseResource> page = shown(rows.stream().limit(count).map(json -> (IBaseResource) parse(json)).toList(), request);
        Integer size = total ? store.count(query, through) : null;
        String next = rows.size() > count ? Integer.toString(offset + count) : null;
        String previous = offset > 0 ? Integer.toString(Math.max(0, offset - count)) : null;
        SimpleBundleProvider answer = new SimpleBundleProvider(page) {
            @Override
            public Integer size() {
                return size;
            }

            @Override
            public String getNextPageId() {
                return next;
            }

            @Override
            public String getPreviousPageId() {
                return previous;
            }
        };
        answer.setCurrentPageOffset(offset);
        answer.setCurrentPageSize(count);
        return answer;
    }

    @History
    public IBundleProvider typeHistory() {
        throw new ForbiddenOperationException("The audit trail has no history: each AuditEvent has one version");
    }

    @History
    public IBundleProvider instanceHistory(@IdParam IdType id) {
        throw new ForbiddenOperationException("The audit trail has no history: each AuditEvent has one version");
    }

    @Create
    public MethodOutcome create(@ResourceParam AuditEvent event) {
        throw refused("create");
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam AuditEvent event, @ConditionalUrlParam String conditional) {
        throw refused("update");
    }

    @Delete
    public MethodOutcome delete(@IdParam IdType id, @ConditionalUrlParam String conditional) {
        throw refused("delete");
    }

    @Patch
    public MethodOutcome patch(@IdParam IdType id, PatchTypeEnum type, @ResourceParam String body,
            @ConditionalUrlParam String conditional) {
        throw refused("patch");
    }

    /**
     * What the interceptors let through ({@code STORAGE_PREACCESS_RESOURCES}, then
     * {@code STORAGE_PRESHOW_RESOURCES}), as HAPI's JPA layer would ask them: the SMART scopes and
     * the sites' backstop see the trail's resources too. The plain server fires neither itself.
     */
    static List<IBaseResource> shown(List<IBaseResource> resources, RequestDetails request) {
        List<IBaseResource> shown = new ArrayList<>(resources);
        if (shown.isEmpty() || request.getInterceptorBroadcaster() == null) {
            return shown;
        }
        SimplePreResourceAccessDetails access = new SimplePreResourceAccessDetails(shown);
        request.getInterceptorBroadcaster().callHooks(Pointcut.STORAGE_PREACCESS_RESOURCES, new HookParams()
                .add(RequestDetails.class, request).addIfMatchesType(ServletRequestDetails.class, request)
                .add(IPreResourceAccessDetails.class, access));
        access.applyFilterToList();
        SimplePreResourceShowDetails show = new SimplePreResourceShowDetails(shown);
        request.getInterceptorBroadcaster().callHooks(Pointcut.STORAGE_PRESHOW_RESOURCES, new HookParams()
                .add(RequestDetails.class, request).addIfMatchesType(ServletRequestDetails.class, request)
                .add(IPreResourceShowDetails.class, show));
        return show.toList().stream().filter(java.util.Objects::nonNull).toList();
    }

    private AuditEvent parse(String json) {
        return fhirContext.newJsonParser().parseResource(AuditEvent.class, json);
    }

    private static ResourceNotFoundException notFound(IdType id) {
        return new ResourceNotFoundException(new IdType("AuditEvent", id.getIdPart()));
    }

    private static ForbiddenOperationException refused(String interaction) {
        return new ForbiddenOperationException("The audit trail is append-only: no one may " + interaction + " an AuditEvent");
    }

    private static java.util.Optional<String> first(Map<String, String[]> parameters, String name) {
        String[] values = parameters.get(name);
        return values == null ? java.util.Optional.empty() : Arrays.stream(values).findFirst();
    }

    private static long number(String value) {
        try {
            long number = Long.parseLong(value.trim());
            if (number < 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Not a non-negative whole number: " + value);
        }
    }
}
