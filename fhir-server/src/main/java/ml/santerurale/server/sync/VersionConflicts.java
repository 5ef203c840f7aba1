package ml.santerurale.server.sync;

import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Finds every stale entry of a sync batch before any entry runs, with one query, so the device
 * learns all its conflicts in one answer instead of one per round trip:
 * <ul>
 *   <li>an update ({@code PUT} with {@code ifMatch}) or delete with {@code ifMatch} whose version
 *       is not the current one, or whose resource does not exist (or is deleted);</li>
 *   <li>a create ({@code PUT} without {@code ifMatch}) of an id that already exists: without this
 *       check it would silently overwrite another device's record.</li>
 * </ul>
 * Resources of sites the caller does not work at count as missing, exactly as for a read, so
 * the answer does not reveal them; shared reference data (no site) and referral ServiceRequests
 * granted to the caller's sites are visible. Does not guarantee that the batch then succeeds: a
 * write committed between this check and the batch's own is still caught by HAPI's version check
 * (a single 412).
 */
final class VersionConflicts {

    static final String EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-conflict";
    private static final Pattern VERSION = Pattern.compile("^(?:W/)?\"?(\\d+)\"?$");
    /** {@code Type/id}: an instance URL (FHIR ids: at most 64 of A-Z a-z 0-9 - .). */
    private static final Pattern INSTANCE = Pattern.compile("^[A-Z][A-Za-z]+/[A-Za-z0-9\\-.]{1,64}$");

    private final JdbcTemplate jdbc;

    VersionConflicts(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void refuseIfAny(Bundle bundle, Set<String> callerSites) {
        refuse(find(bundle, callerSites, true));
    }

    /**
     * For an ordinary transaction (not a sync batch): only entries with {@code ifMatch} on
     * {@code Type/id} count, as a REST {@code PUT} with {@code If-Match} would (a plain
     * {@code PUT} without it stays an upsert). HAPI checks a stale version itself but creates the
     * resource when it does not exist; this refuses that too, listing every such entry.
     */
    void refuseStaleIfMatch(Bundle bundle, Set<String> callerSites) {
        refuse(find(bundle, callerSites, false));
    }

    private static void refuse(List<Conflict> conflicts) {
        if (conflicts.isEmpty()) {
            return;
        }
        OperationOutcome outcome = new OperationOutcome();
        for (Conflict conflict : conflicts) {
            OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
                    .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(OperationOutcome.IssueType.CONFLICT)
                    .setDiagnostics(conflict.describe());
            issue.addExpression("Bundle.entry[" + conflict.entry() + "]");
            Extension extension = issue.addExtension().setUrl(EXTENSION);
            extension.addExtension("entry", new IntegerType(conflict.entry()));
            extension.addExtension("resource", new StringType(conflict.resource()));
            if (conflict.sentVersion() != null) {
                extension.addExtension("sentVersion", new StringType(conflict.sentVersion()));
            }
            if (conflict.currentVersion() != null) {
                extension.addExtension("currentVersion", new StringType(conflict.currentVersion()));
            }
            extension.addExtension("currentState", new StringType(conflict.currentState()));
        }
        throw new PreconditionFailedException(conflicts.size() + " entr" + (conflicts.size() == 1 ? "y is" : "ies are")
                + " in conflict with the server's records; nothing in this Bundle was written", outcome);
    }

    List<Conflict> find(Bundle bundle, Set<String> callerSites) {
        return find(bundle, callerSites, true);
    }

    private List<Conflict> find(Bundle bundle, Set<String> callerSites, boolean putIsCreate) {
        Map<String, Current> current = current(bundle, callerSites);
        List<Conflict> conflicts = new ArrayList<>();
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            Bundle.BundleEntryRequestComponent request = entries.get(i).getRequest();
            String resource = request.getUrl();
            if (resource == null || !INSTANCE.matcher(resource).matches()) {
                // POST, conditional or search URLs: no instance version to compare.
                continue;
            }
            Current now = current.get(resource);
            String ifMatch = request.getIfMatch();
            if (ifMatch != null && !ifMatch.isBlank()) {
                Matcher version = VERSION.matcher(ifMatch.trim());
                if (!version.matches()) {
                    throw SyncBatch.invalid("Bundle.entry[" + i + "].request.ifMatch",
                            "is '" + ifMatch + "': expected a version such as W/\"3\"");
                }
                String sent = version.group(1);
                if (now == null) {
                    conflicts.add(new Conflict(i, resource, sent, null, "missing"));
                } else if (now.deleted()) {
                    conflicts.add(new Conflict(i, resource, sent, now.version(), "deleted"));
                } else if (!now.version().equals(sent)) {
                    conflicts.add(new Conflict(i, resource, sent, now.version(), "changed"));
                }
            } else if (putIsCreate && request.getMethod() == Bundle.HTTPVerb.PUT && now != null && !now.deleted()) {
                conflicts.add(new Conflict(i, resource, null, now.version(), "exists"));
            }
        }
        return conflicts;
    }

    private Map<String, Current> current(Bundle bundle, Set<String> callerSites) {
        Set<String> urls = new HashSet<>();
        bundle.getEntry().stream().map(entry -> entry.getRequest().getUrl())
                .filter(url -> url != null && INSTANCE.matcher(url).matches()).forEach(urls::add);
        if (urls.isEmpty()) {
            return Map.of();
        }
        String[] types = urls.stream().map(u -> u.substring(0, u.indexOf('/'))).toArray(String[]::new);
        String[] ids = urls.stream().map(u -> u.substring(u.indexOf('/') + 1)).toArray(String[]::new);
        String[] sites = callerSites.toArray(String[]::new);
        Map<String, Current> current = new HashMap<>();
        jdbc.query("select r.res_type, r.fhir_id, r.res_ver, r.res_deleted_at is not null"
                        + " from hfj_resource r"
                        + " join unnest(?::varchar[], ?::varchar[]) as t(res_type, fhir_id)"
                        + "   on r.res_type = t.res_type and r.fhir_id = t.fhir_id"
                        + " left join hfj_partition p on p.part_id = r.partition_id"
                        + " where r.partition_id is null or p.part_name = any(?)"
                        + "    or (r.res_type = 'ServiceRequest' and exists (select 1 from srm_referral_grant g"
                        + "        where g.service_request_id = r.fhir_id and g.to_site = any(?)))",
                rs -> {
                    current.put(rs.getString(1) + "/" + rs.getString(2),
                            new Current(Long.toString(rs.getLong(3)), rs.getBoolean(4)));
                }, types, ids, sites, sites);
        return current;
    }

    record Conflict(int entry, String resource, String sentVersion, String currentVersion, String currentState) {

        String describe() {
            String at = "Bundle.entry[" + entry + "]: " + resource;
            return switch (currentState) {
                case "missing" -> at + " was sent as an update of version " + sentVersion + " but the server has no such resource";
                case "deleted" -> at + " was sent as a change of version " + sentVersion + " but it was deleted (version "
                        + currentVersion + ")";
                case "exists" -> at + " was sent as new (no ifMatch) but the server already has it at version " + currentVersion;
                default -> at + " was sent as a change of version " + sentVersion + " but the current version is "
                        + currentVersion;
            };
        }
    }

    private record Current(String version, boolean deleted) {}
}
