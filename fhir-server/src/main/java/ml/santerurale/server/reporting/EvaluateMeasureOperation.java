package ml.santerurale.server.reporting;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.Permission;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Measure;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code GET Measure/<id>/$evaluate-measure?periodStart=2026-11-01&periodEnd=2026-11-30&reporter=Organization/<id>}:
 * one site's summary MeasureReport for those days (both included, UTC), computed now and not
 * stored. Allowed to whoever may read MeasureReports and works at that site, and to national
 * roles (admin).
 */
public final class EvaluateMeasureOperation {

    private final ReportEvaluation evaluation;
    private final ReportingSites sites;
    private final AccessPolicy policy;

    EvaluateMeasureOperation(ReportEvaluation evaluation, ReportingSites sites, AccessPolicy policy) {
        this.evaluation = evaluation;
        this.sites = sites;
        this.policy = policy;
    }

    @Operation(name = "$evaluate-measure", type = Measure.class, idempotent = true)
    public MeasureReport evaluateMeasure(@IdParam IdType measureId,
            @OperationParam(name = "periodStart", min = 1, max = 1) StringType periodStart,
            @OperationParam(name = "periodEnd", min = 1, max = 1) StringType periodEnd,
            @OperationParam(name = "reporter", min = 1, max = 1) StringType reporter,
            RequestDetails requestDetails) {
        ReportMeasure measure = ReportMeasure.byId(measureId.getIdPart());
        if (measure == null) {
            throw Outcomes.notFound("Measure/" + measureId.getIdPart() + " is not known");
        }
        if (periodStart == null || periodEnd == null || reporter == null || reporter.getValue() == null) {
            throw Outcomes.invalid("periodStart, periodEnd and reporter (Organization/<id>) are required");
        }
        ReportingPeriod period;
        try {
            period = ReportingPeriod.days(periodStart.getValue(), periodEnd.getValue());
        } catch (IllegalArgumentException e) {
            throw Outcomes.invalid(e.getMessage());
        }
        String reference = reporter.getValue().trim();
        if (!reference.matches("Organization/[A-Za-z0-9\\-.]{1,64}")) {
            throw Outcomes.invalid("reporter must be Organization/<id>, not " + reference);
        }
        ReportingSites.Site site = sites.byOrganizationId(reference.substring("Organization/".length()));
        requireReader(Caller.of(requestDetails).orElseThrow(() -> Outcomes.forbidden("No caller")), site);
        return evaluation.evaluate(measure, period, site);
    }

    private void requireReader(Caller caller, ReportingSites.Site site) {
        if (caller.roles().contains("admin")) {
            return;
        }
        if (!policy.allows(caller.roles(), "MeasureReport", Permission.READ) || !caller.siteIds().contains(site.code())) {
            throw Outcomes.forbidden("You may compute reports of your own sites only; " + site.code() + " is not one of them");
        }
    }
}
