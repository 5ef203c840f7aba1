package ml.santerurale.server.reporting;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.List;
import ml.santerurale.dhis2.Dhis2Properties;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code POST /fhir/$dhis2-export} with {@code period} ({@code 202611}, {@code 2026W47}), optional
 * {@code site} (an Organization id; all CSCOMs when absent) and {@code dryRun}. Answers a
 * Parameters with one {@code export} per site: {@code site}, {@code organization}, {@code status}
 * (dry-run, queued, skipped), {@code detail}, the {@code dataValueSet} JSON, any {@code unmapped}
 * stratum and, when queued, the {@code journalId} and the stored {@code measureReport}.
 * Allowed to admins and to the realm's {@code dhis2-export} service client.
 */
public final class Dhis2ExportOperation {

    static final String EXPORT_CLIENT = "dhis2-export";

    private final Dhis2Export export;
    private final ReportingSites sites;
    private final Dhis2Properties properties;

    Dhis2ExportOperation(Dhis2Export export, ReportingSites sites, Dhis2Properties properties) {
        this.export = export;
        this.sites = sites;
        this.properties = properties;
    }

    @Operation(name = "$dhis2-export", idempotent = false)
    public Parameters dhis2Export(@OperationParam(name = "period", min = 1, max = 1) StringType period,
            @OperationParam(name = "site", max = 1) StringType site,
            @OperationParam(name = "dryRun", max = 1) BooleanType dryRun,
            RequestDetails requestDetails) {
        Caller caller = Caller.of(requestDetails).orElseThrow(() -> Outcomes.forbidden("No caller"));
        if (!caller.roles().contains("admin") && !EXPORT_CLIENT.equals(caller.clientId())) {
            throw Outcomes.forbidden("Only an administrator or the " + EXPORT_CLIENT + " service client may export to DHIS2");
        }
        if (period == null || period.getValue() == null) {
            throw Outcomes.invalid("period is required (yyyyMM, e.g. 202611, or yyyyWn, e.g. 2026W47)");
        }
        ReportingPeriod reportingPeriod;
        try {
            reportingPeriod = ReportingPeriod.parse(period.getValue());
        } catch (IllegalArgumentException e) {
            throw Outcomes.invalid(e.getMessage());
        }
        boolean dry = dryRun != null && Boolean.TRUE.equals(dryRun.getValue());
        if (!dry && !properties.enabled()) {
            throw Outcomes.notSupported("DHIS2 export is off: SRM_DHIS2_BASE_URL is not set (a dry run works without it)");
        }
        List<ReportingSites.Site> chosen;
        if (site != null && site.getValue() != null && !site.getValue().isBlank()) {
            String id = site.getValue().trim().replaceFirst("^Organization/", "");
            ReportingSites.Site one = sites.byOrganizationId(id);
            if (!"cscom".equals(one.level())) {
                throw Outcomes.invalid("Organization/" + id + " is a " + one.level() + ", not a CSCOM: only CSCOMs report");
            }
            chosen = List.of(one);
        } else {
            chosen = sites.cscoms();
        }
        Parameters answer = new Parameters();
        for (Dhis2Export.SiteResult result : export.run(chosen, reportingPeriod, dry)) {
            Parameters.ParametersParameterComponent part = answer.addParameter().setName("export");
            part.addPart().setName("site").setValue(new StringType(result.site().code()));
            part.addPart().setName("organization").setValue(new Reference("Organization/" + result.site().organizationId()));
            part.addPart().setName("period").setValue(new StringType(reportingPeriod.code()));
            part.addPart().setName("status").setValue(new StringType(result.status()));
            part.addPart().setName("detail").setValue(new StringType(result.detail()));
            if (result.dataValueSet() != null) {
                part.addPart().setName("dataValueSet").setValue(new StringType(result.dataValueSet().toJson()));
            }
            result.unmapped().forEach(u -> part.addPart().setName("unmapped").setValue(new StringType(u)));
            if (result.journalId() != null) {
                part.addPart().setName("journalId").setValue(new IntegerType(result.journalId().intValue()));
                part.addPart().setName("measureReport").setValue(new Reference("MeasureReport/" + result.report().getIdElement().getIdPart()));
            }
        }
        return answer;
    }
}
