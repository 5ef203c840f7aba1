package ml.santerurale.interceptors.smart;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import ml.santerurale.interceptors.access.ReachedTypes;
import ml.santerurale.interceptors.guard.BundleEntryUrls;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Enforces SMART on FHIR scopes ({@link SmartScopes}) on top of the role matrix and the sites:
 * a token with no resource scope passes untouched; otherwise
 * <ul>
 *   <li>its scopes are read right after authentication: one that cannot be honoured (malformed,
 *       unknown or unserved type, a granular parameter not enforced here, a {@code patient/} scope
 *       without a {@code patient} claim) is a 401 naming it;</li>
 *   <li>every interaction, and every entry of a transaction or batch, needs a covering scope
 *       before any query runs (403 naming the type and action); type and system history and
 *       system-wide search need a scope without restriction; a type none of whose records can be
 *       in a patient's compartment (reference data, Binary) is out of reach of {@code patient/}
 *       scopes, except the token's own {@code fhirUser} resource, readable with the
 *       {@code fhirUser} scope;</li>
 *   <li>a search restricted to the launch patient or to categories is narrowed with parameters
 *       ({@code patient=}/{@code _id=}, {@code category=}), in Bundle entries too, and so is the
 *       match of a conditional create, update, patch or delete ({@code If-None-Exist},
 *       {@code request.ifNoneExist}, the conditional URL);</li>
 *   <li>whatever a read, search, include, page or instance history would return is dropped unless
 *       a scope covers it (a read by id, or an instance's history, then answers exactly as for a
 *       missing record);</li>
 *   <li>a create, update or delete outside the scope's restrictions is refused (403).</li>
 * </ul>
 *
 * <p>Does not grant anything: the role matrix ({@code access.RoleMatrixEnforcer}) and the site
 * partitions run as they always do, so what passes is their intersection with the scopes. Does not
 * narrow exactly a search whose alternatives cannot be expressed as one set of parameters (e.g.
 * {@code patient/Observation.rs} together with {@code user/Observation.rs?category=laboratory}):
 * it is filtered per resource, its count is refused and its total dropped. Does not guarantee
 * that an instance history whose versions moved between patients shows the versions that stayed
 * within the scopes: any uncovered version makes it answer as missing.
 */
@Interceptor
public class ScopeEnforcer {

    private static final String SCOPES_KEY = ScopeEnforcer.class.getName() + ".scopes";

    private final Set<String> fhirTypes;
    private final Set<String> servedTypes;
    private final ReachedTypes reachedTypes;
    private final PatientCompartment compartment;
    private final String realm;

    public ScopeEnforcer(FhirContext fhirContext, Set<String> servedTypes, ReachedTypes reachedTypes, String realm) {
        this.fhirTypes = Set.copyOf(fhirContext.getResourceTypes());
        this.servedTypes = Set.copyOf(servedTypes);
        this.reachedTypes = reachedTypes;
        this.compartment = new PatientCompartment(fhirContext);
        this.realm = realm;
    }

    /** The caller's resource scopes, read once per request. */
    public SmartScopes scopesOf(RequestDetails requestDetails) {
        Optional<Caller> caller = Caller.of(requestDetails);
        if (caller.isEmpty()) {
            return SmartScopes.of(Set.of(), null, fhirTypes, servedTypes);
        }
        Object cached = requestDetails.getUserData().get(SCOPES_KEY);
        if (cached instanceof SmartScopes scopes) {
            return scopes;
        }
        SmartScopes scopes = SmartScopes.of(caller.get().scopes(), caller.get().patient(), fhirTypes, servedTypes)
                .withFhirUser(caller.get().scopes(), caller.get().fhirUser());
        requestDetails.getUserData().put(SCOPES_KEY, scopes);
        return scopes;
    }

    /** Right after authentication: refuses a token whose scopes cannot be honoured, and narrows a type search. */
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -900)
    public void readScopes(RequestDetails requestDetails) {
        if (requestDetails.getRestOperationType() == RestOperationTypeEnum.METADATA) {
            return;
        }
        SmartScopes scopes;
        try {
            scopes = scopesOf(requestDetails);
        } catch (InvalidScopeException e) {
            throw unauthorized(e);
        }
        RestOperationTypeEnum operation = requestDetails.getRestOperationType();
        String type = requestDetails.getResourceName();
        if (scopes.isEmpty() || type == null || !servedTypes.contains(type)) {
            return;
        }
        if (operation == RestOperationTypeEnum.SEARCH_TYPE) {
            refuseInexactCount(scopes, type, requestDetails.getParameters(), null);
            Map<String, String[]> parameters = new LinkedHashMap<>(requestDetails.getParameters());
            narrowing(scopes, requestDetails.getResourceName(), SmartAction.SEARCH, null).forEach((name, value) ->
                    parameters.merge(name, new String[] {value},
                            (a, b) -> Stream.concat(Arrays.stream(a), Arrays.stream(b)).toArray(String[]::new)));
            requestDetails.setParameters(parameters);
        }
        String ifNoneExist = requestDetails.getHeader("If-None-Exist");
        if (operation == RestOperationTypeEnum.CREATE && ifNoneExist != null && !ifNoneExist.isBlank()) {
            requestDetails.setHeaders("If-None-Exist", List.of(narrowed(ifNoneExist, narrowing(scopes, type, SmartAction.CREATE, null))));
        }
        if (operation == RestOperationTypeEnum.UPDATE || operation == RestOperationTypeEnum.PATCH
                || operation == RestOperationTypeEnum.DELETE) {
            String match = requestDetails.getConditionalUrl(operation);
            if (match != null) {
                // The match of a conditional update, patch or delete is ANDed with the restrictions,
                // so it never finds a record outside them (HAPI binds the fixed URL as the match).
                requestDetails.setFixedConditionalUrl(narrowed(match, narrowing(scopes, type, SmartAction.forOperation(operation), null)));
            }
        }
    }

    /**
     * A count ({@code _summary=count}, {@code _total}) of a search whose restrictions cannot be one
     * set of parameters would count records the scopes do not cover: refused (403) rather than
     * reported wrong. Such searches still run, filtered per resource, with no total.
     */
    private void refuseInexactCount(SmartScopes scopes, String type, Map<String, String[]> parameters, String where) {
        if (scopes.grant(type, SmartAction.SEARCH).exact()) {
            return;
        }
        boolean counted = Arrays.stream(parameters.getOrDefault("_summary", new String[0])).anyMatch("count"::equals)
                || parameters.containsKey("_total");
        if (counted) {
            throw forbidden(scopes, (where == null ? "" : where + ": ") + "this token's scopes on " + type + " ("
                    + describeAll(scopes.grant(type, SmartAction.SEARCH), scopes.patient()) + ") cannot be one search, so a count"
                    + " (_summary=count or _total) would include records they do not cover; search without it",
                    where == null ? null : where + ".request");
        }
    }

    /** Totals of searches narrowed per resource only are dropped before the response leaves. */
    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public void dropInexactTotals(RequestDetails requestDetails, IBaseResource responseResource) {
        if (!(responseResource instanceof Bundle bundle) || requestDetails.getRestOperationType() == null) {
            return;
        }
        SmartScopes scopes = scopesQuietly(requestDetails);
        if (scopes.isEmpty()) {
            return;
        }
        dropInexactTotal(scopes, bundle, requestDetails.getRestOperationType() == RestOperationTypeEnum.SEARCH_TYPE
                ? requestDetails.getResourceName() : null);
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            if (entry.getResource() instanceof Bundle inner && inner.getType() == Bundle.BundleType.SEARCHSET) {
                dropInexactTotal(scopes, inner, null);
            }
        }
    }

    /** Drops the total unless the search's type (or, unknown, every served type) was narrowed exactly. */
    private void dropInexactTotal(SmartScopes scopes, Bundle bundle, String type) {
        if (bundle.getType() != Bundle.BundleType.SEARCHSET && bundle.getType() != Bundle.BundleType.HISTORY) {
            return;
        }
        boolean exact = type != null && servedTypes.contains(type)
                ? scopes.grant(type, SmartAction.SEARCH).exact()
                : servedTypes.stream().allMatch(t -> scopes.grant(t, SmartAction.SEARCH).exact());
        if (!exact) {
            bundle.setTotalElement(null);
        }
    }

    /** A search or match URL with the narrowing parameters added (ANDed with its own). */
    private static String narrowed(String url, Map<String, String> parameters) {
        StringBuilder narrowed = new StringBuilder(url);
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            narrowed.append(narrowed.indexOf("?") < 0 && narrowed.indexOf("=") < 0 ? '?' : '&')
                    .append(p.getKey()).append('=').append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
        }
        return narrowed.toString();
    }

    /** Before the interaction runs (after the role matrix): the scopes must cover it. */
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = 110)
    public void checkScopes(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        if (operation == RestOperationTypeEnum.METADATA) {
            return;
        }
        SmartScopes scopes = scopesOf(requestDetails);
        if (scopes.isEmpty()) {
            return;
        }
        String type = requestDetails.getResourceName();
        switch (operation) {
            case TRANSACTION, BATCH -> checkEntries(scopes, requestDetails);
            case SEARCH_SYSTEM, HISTORY_SYSTEM -> {
                Set<String> restricted = new TreeSet<>();
                servedTypes.stream().filter(t -> !scopes.grant(t, SmartAction.SEARCH).unrestricted()).forEach(restricted::add);
                if (!restricted.isEmpty()) {
                    throw forbidden(scopes, "searching or reading the history of the whole server needs an unrestricted"
                            + " search scope on every type (such as user/*.rs); none covers " + String.join(", ", restricted), null);
                }
            }
            case GET_PAGE -> {
                if (servedTypes.stream().noneMatch(t -> scopes.grant(t, SmartAction.SEARCH).any())) {
                    throw forbidden(scopes, "no scope of this token permits searching", null);
                }
            }
            case VALIDATE -> requireAny(scopes, type, null, SmartAction.CREATE, SmartAction.UPDATE);
            case EXTENDED_OPERATION_SERVER, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_INSTANCE -> {
                if ("$validate".equals(requestDetails.getOperation()) && type != null) {
                    requireAny(scopes, type, null, SmartAction.CREATE, SmartAction.UPDATE);
                } else {
                    requireAny(scopes, type == null ? "ValueSet" : type, null, SmartAction.READ);
                }
            }
            default -> {
                if (SmartAction.forOperation(operation) == null) {
                    return; // not a per-type interaction: the role matrix refuses it
                }
                if ((operation == RestOperationTypeEnum.READ || operation == RestOperationTypeEnum.VREAD)
                        && requestDetails.getId() != null && scopes.isFhirUser(type, requestDetails.getId().getIdPart())) {
                    return; // the user's own resource (fhirUser scope and claim)
                }
                require(scopes, type, operation, null);
                if (operation == RestOperationTypeEnum.SEARCH_TYPE) {
                    requireReached(scopes, type, requestDetails.getParameters(), null);
                }
            }
        }
    }

    private void checkEntries(SmartScopes scopes, RequestDetails requestDetails) {
        if (!(requestDetails.getResource() instanceof Bundle bundle)) {
            return;
        }
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            Bundle.BundleEntryComponent entry = entries.get(i);
            Bundle.BundleEntryRequestComponent request = entry.getRequest();
            String url = request.getUrl();
            String type = BundleEntryUrls.resourceType(url);
            if (type == null && entry.getResource() != null) {
                type = entry.getResource().fhirType();
            }
            RestOperationTypeEnum operation = entryOperation(request.getMethod(), url);
            if (type == null || operation == null || !servedTypes.contains(type)) {
                continue; // malformed or unserved entries are answered by the guards
            }
            String where = "Bundle.entry[" + i + "]";
            require(scopes, type, operation, where);
            if (operation == RestOperationTypeEnum.SEARCH_TYPE) {
                Map<String, String[]> query = url.contains("?") ? BundleEntryUrls.queryParameters(url, where) : Map.of();
                requireReached(scopes, type, query, where);
                refuseInexactCount(scopes, type, query, where);
                request.setUrl(narrowed(url, narrowing(scopes, type, SmartAction.SEARCH, where)));
            }
            if (operation == RestOperationTypeEnum.CREATE && request.hasIfNoneExist()) {
                request.setIfNoneExist(narrowed(request.getIfNoneExist(), narrowing(scopes, type, SmartAction.CREATE, where)));
            }
            if ((operation == RestOperationTypeEnum.UPDATE || operation == RestOperationTypeEnum.PATCH
                    || operation == RestOperationTypeEnum.DELETE) && url.contains("?")) {
                request.setUrl(narrowed(url, narrowing(scopes, type, SmartAction.forOperation(operation), where)));
            }
        }
    }

    private static RestOperationTypeEnum entryOperation(Bundle.HTTPVerb method, String url) {
        if (method == null || url == null) {
            return null;
        }
        String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        int segments = path.replaceAll("^/", "").split("/").length;
        return switch (method) {
            case GET, HEAD -> path.contains("_history")
                    ? (segments >= 3 ? RestOperationTypeEnum.HISTORY_INSTANCE : RestOperationTypeEnum.HISTORY_TYPE)
                    : segments >= 2 ? RestOperationTypeEnum.READ : RestOperationTypeEnum.SEARCH_TYPE;
            case POST -> RestOperationTypeEnum.CREATE;
            case PUT -> RestOperationTypeEnum.UPDATE;
            case PATCH -> RestOperationTypeEnum.PATCH;
            case DELETE -> RestOperationTypeEnum.DELETE;
            default -> null;
        };
    }

    /**
     * The parameters that keep a search of this type within the scopes' restrictions (the
     * patient's compartment, categories), empty when the scopes do not restrict it.
     */
    private Map<String, String> narrowing(SmartScopes scopes, String type, SmartAction action, String where) {
        SmartScopes.Grant grant = scopes.grant(type, action);
        Map<String, String> parameters = new LinkedHashMap<>();
        if (!grant.any()) {
            return parameters; // refused before it runs (checkScopes)
        }
        if (grant.compartmentOnly()) {
            String[] narrowing = compartment.canHold(type) ? compartment.narrowing(type, scopes.patient()) : null;
            if (narrowing == null) {
                throw outsideCompartment(scopes, type, where);
            }
            parameters.put(narrowing[0], narrowing[1]);
        }
        List<SmartScope.Category> categories = grant.categoriesOnly();
        if (categories != null) {
            parameters.put("category", categories.stream().map(SmartScope.Category::toString).collect(Collectors.joining(",")));
        }
        return parameters;
    }

    private void requireReached(SmartScopes scopes, String type, Map<String, String[]> parameters, String where) {
        ReachedTypes.Reach reach = reachedTypes.of(type, parameters);
        Set<String> refused = new TreeSet<>();
        for (String reached : ReachedTypes.all(reach)) {
            if (!scopes.grant(reached, SmartAction.SEARCH).any()) {
                refused.add(reached);
            }
        }
        if (!refused.isEmpty()) {
            throw forbidden(scopes, (where == null ? "" : where + ": ") + "no scope of this token permits searching "
                    + String.join(", ", refused) + ", which this search reaches (_include, _revinclude, _has or a chain)",
                    where == null ? null : where + ".request");
        }
    }

    private void require(SmartScopes scopes, String type, RestOperationTypeEnum operation, String where) {
        SmartAction needed = SmartAction.forOperation(operation);
        if (needed != null && scopes.grant(type, needed).compartmentOnly() && !compartment.canHold(type)) {
            throw outsideCompartment(scopes, type, where);
        }
        if (!scopes.permits(type, operation)) {
            SmartAction action = SmartAction.forOperation(operation);
            boolean needsUnrestricted = scopes.grant(type, action).any();
            throw forbidden(scopes, (where == null ? "" : where + ": ") + (needsUnrestricted
                    ? operation.getCode() + " of " + type + " cannot be narrowed to this token's restrictions (patient or category);"
                            + " it needs a scope without them"
                    : "no scope of this token permits '" + action.letter + "' (" + action.name().toLowerCase() + ") on " + type),
                    where == null ? null : where + ".request");
        }
    }

    /**
     * A type none of whose records is in a patient's compartment ({@code Binary}, reference data
     * such as Organization, Location, Practitioner) is out of reach of {@code patient/} scopes.
     */
    private ForbiddenOperationException outsideCompartment(SmartScopes scopes, String type, String where) {
        return forbidden(scopes, (where == null ? "" : where + ": ") + "patient/ scopes cover only the launch patient's"
                + " compartment, which holds no " + type + " record: " + type + " needs a user/ or system/ scope that covers it"
                + " (such as user/" + type + ".rs)", where == null ? null : where + ".request");
    }

    private void requireAny(SmartScopes scopes, String type, String where, SmartAction... actions) {
        for (SmartAction action : actions) {
            if (scopes.grant(type, action).any()) {
                return;
            }
        }
        throw forbidden(scopes, (where == null ? "" : where + ": ") + "no scope of this token permits "
                + Arrays.stream(actions).map(a -> "'" + a.letter + "'").collect(Collectors.joining(" or ")) + " on " + type, null);
    }

    /** The backstop: nothing the scopes do not cover leaves the server, whatever reached it. */
    @Hook(Pointcut.STORAGE_PREACCESS_RESOURCES)
    public void dropOutsideScopes(IPreResourceAccessDetails details, RequestDetails requestDetails) {
        SmartScopes scopes = scopesQuietly(requestDetails);
        if (scopes.isEmpty()) {
            return;
        }
        RestOperationTypeEnum operation = requestDetails.getRestOperationType();
        for (int i = 0; i < details.size(); i++) {
            IBaseResource resource = details.getResource(i);
            if (resource == null || covers(scopes, resource, operation)) {
                continue;
            }
            if ((operation == RestOperationTypeEnum.READ || operation == RestOperationTypeEnum.VREAD) && details.size() == 1
                    || operation == RestOperationTypeEnum.HISTORY_INSTANCE) {
                throw asMissing(requestDetails, resource);
            }
            details.setDontReturnResourceAtIndex(i);
        }
    }

    private boolean covers(SmartScopes scopes, IBaseResource resource, RestOperationTypeEnum operation) {
        SmartAction action = operation == null ? null : SmartAction.forOperation(operation);
        if (action == SmartAction.READ && scopes.isFhirUser(resource.fhirType(), resource.getIdElement().getIdPart())) {
            return true;
        }
        if (action == SmartAction.READ || action == SmartAction.SEARCH) {
            return matches(scopes, scopes.grant(resource.fhirType(), action), resource);
        }
        return matches(scopes, scopes.grant(resource.fhirType(), SmartAction.READ), resource)
                || matches(scopes, scopes.grant(resource.fhirType(), SmartAction.SEARCH), resource);
    }

    private boolean matches(SmartScopes scopes, SmartScopes.Grant grant, IBaseResource resource) {
        return grant.alternatives().stream().anyMatch(a -> compartment.matches(a, resource, scopes.patient()));
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void checkCreate(IBaseResource resource, RequestDetails requestDetails) {
        checkWrite(resource, SmartAction.CREATE, requestDetails);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void checkUpdate(IBaseResource oldResource, IBaseResource newResource, RequestDetails requestDetails) {
        checkWrite(oldResource, SmartAction.UPDATE, requestDetails);
        checkWrite(newResource, SmartAction.UPDATE, requestDetails);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
    public void checkDelete(IBaseResource resource, RequestDetails requestDetails) {
        checkWrite(resource, SmartAction.DELETE, requestDetails);
    }

    private void checkWrite(IBaseResource resource, SmartAction action, RequestDetails requestDetails) {
        SmartScopes scopes = scopesQuietly(requestDetails);
        if (scopes.isEmpty() || resource == null) {
            return;
        }
        SmartScopes.Grant grant = scopes.grant(resource.fhirType(), action);
        if (!grant.any()) {
            throw forbidden(scopes, "no scope of this token permits '" + action.letter + "' (" + action.name().toLowerCase()
                    + ") on " + resource.fhirType(), null);
        }
        if (!matches(scopes, grant, resource)) {
            throw forbidden(scopes, "the scopes of this token permit '" + action.letter + "' on " + resource.fhirType()
                    + " only " + describeAll(grant, scopes.patient()) + ", and this record is not", null);
        }
    }

    private static String describeAll(SmartScopes.Grant grant, String patient) {
        return grant.alternatives().stream().map(a -> describe(a, patient)).collect(Collectors.joining(" or "));
    }

    private static String describe(SmartScopes.Alternative alternative, String patient) {
        String text = alternative.patientCompartment() ? "within patient " + patient + "'s compartment" : "";
        if (alternative.category() != null) {
            text += (text.isEmpty() ? "" : " and ") + "of category " + alternative.category();
        }
        return text;
    }

    /** Storage hooks run after the request hooks refused bad scopes; server-internal requests have no caller. */
    private SmartScopes scopesQuietly(RequestDetails requestDetails) {
        try {
            return requestDetails == null ? scopesOf(null) : scopesOf(requestDetails);
        } catch (InvalidScopeException e) {
            throw unauthorized(e);
        }
    }

    /** Exactly what HAPI answers for an id it does not hold (its message and code). */
    private static ResourceNotFoundException asMissing(RequestDetails requestDetails, IBaseResource resource) {
        String id = requestDetails.getId() != null
                ? requestDetails.getId().toUnqualifiedVersionless().getValue()
                : resource.getIdElement().toUnqualifiedVersionless().getValue();
        return new ResourceNotFoundException(ca.uhn.fhir.i18n.Msg.code(2001) + "Resource " + id + " is not known");
    }

    private ForbiddenOperationException forbidden(SmartScopes scopes, String message, String expression) {
        String full = message + " (scopes: " + scopes.scopes().stream().map(SmartScope::text).collect(Collectors.joining(" ")) + ")";
        OperationOutcome outcome = new OperationOutcome();
        OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.FORBIDDEN)
                .setDiagnostics(full);
        if (expression != null) {
            issue.addExpression(expression);
        }
        ForbiddenOperationException exception = new ForbiddenOperationException(full, outcome);
        exception.addResponseHeader("WWW-Authenticate", "Bearer realm=\"" + realm + "\", error=\"insufficient_scope\"");
        return exception;
    }

    private AuthenticationException unauthorized(InvalidScopeException e) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.LOGIN).setDiagnostics(e.getMessage());
        AuthenticationException exception = new AuthenticationException(e.getMessage());
        exception.setOperationOutcome(outcome);
        exception.addResponseHeader("WWW-Authenticate", "Bearer realm=\"" + realm + "\", error=\"invalid_token\", error_description=\""
                + e.getMessage().replace("\"", "'") + "\"");
        return exception;
    }
}
