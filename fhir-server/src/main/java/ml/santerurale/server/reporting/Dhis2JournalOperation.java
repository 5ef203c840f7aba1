package ml.santerurale.server.reporting;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Date;
import java.util.List;
import ml.santerurale.dhis2.ExportJournal;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;

/**
 * {@code GET /fhir/$dhis2-export-journal?site=<Organization id>&period=202611}: the journal of one
 * site's period, one Task per export, oldest first, for admins. Built from the journal table when
 * asked; Task is not a served type and these Tasks are stored nowhere else.
 *
 * <p>Task: {@code status} completed (sent, or a partial import: {@code businessStatus} says which),
 * requested (pending), failed, cancelled (superseded by a newer export); {@code for} the site's
 * Organization; {@code input} report, period, values hash; {@code output} DHIS2's counts,
 * conflicts and the last error.
 */
public final class Dhis2JournalOperation {

    private final ExportJournal journal;
    private final ReportingSites sites;

    Dhis2JournalOperation(ExportJournal journal, ReportingSites sites) {
        this.journal = journal;
        this.sites = sites;
    }

    @Operation(name = "$dhis2-export-journal", idempotent = true)
    public Bundle dhis2ExportJournal(@OperationParam(name = "site", min = 1, max = 1) StringType site,
            @OperationParam(name = "period", min = 1, max = 1) StringType period, RequestDetails requestDetails) {
        Caller caller = Caller.of(requestDetails).orElseThrow(() -> Outcomes.forbidden("No caller"));
        if (!caller.roles().contains("admin")) {
            throw Outcomes.forbidden("Only an administrator may read the DHIS2 export journal");
        }
        if (site == null || site.getValue() == null || period == null || period.getValue() == null) {
            throw Outcomes.invalid("site (an Organization id) and period (yyyyMM or yyyyWn) are required");
        }
        ReportingSites.Site known = sites.byOrganizationId(site.getValue().trim().replaceFirst("^Organization/", ""));
        String code;
        try {
            code = ReportingPeriod.parse(period.getValue()).code();
        } catch (IllegalArgumentException e) {
            throw Outcomes.invalid(e.getMessage());
        }
        Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
        List<ExportJournal.Export> exports = journal.exportsOf(known.code(), code);
        for (ExportJournal.Export export : exports) {
            bundle.addEntry().setResource(task(export, known));
        }
        bundle.setTotal(exports.size());
        return bundle;
    }

    private static Task task(ExportJournal.Export export, ReportingSites.Site site) {
        Task task = new Task();
        task.setId("dhis2-export-" + export.id());
        task.setIntent(Task.TaskIntent.ORDER);
        task.setStatus(switch (export.status()) {
            case "sent", "warning" -> Task.TaskStatus.COMPLETED;
            case "failed" -> Task.TaskStatus.FAILED;
            case "superseded" -> Task.TaskStatus.CANCELLED;
            default -> Task.TaskStatus.REQUESTED;
        });
        task.setBusinessStatus(new CodeableConcept().setText(export.status()));
        task.setCode(new CodeableConcept().setText("dhis2-export"));
        task.setFor(new Reference("Organization/" + site.organizationId()));
        task.setAuthoredOn(Date.from(export.createdAt()));
        task.addInput().setType(new CodeableConcept().setText("report")).setValue(new StringType(export.report()));
        task.addInput().setType(new CodeableConcept().setText("period")).setValue(new StringType(export.period()));
        task.addInput().setType(new CodeableConcept().setText("values-sha256")).setValue(new StringType(export.payloadSha256()));
        task.addInput().setType(new CodeableConcept().setText("attempts")).setValue(new IntegerType(export.attempts()));
        output(task, "imported", export.imported());
        output(task, "updated", export.updated());
        output(task, "ignored", export.ignored());
        if (export.conflicts() != null) {
            for (String conflict : export.conflicts().split("\n")) {
                task.addOutput().setType(new CodeableConcept().setText("conflict")).setValue(new StringType(conflict));
            }
        }
        if (export.lastError() != null) {
            task.addOutput().setType(new CodeableConcept().setText("last-error")).setValue(new StringType(export.lastError()));
        }
        return task;
    }

    private static void output(Task task, String name, Integer count) {
        if (count != null) {
            task.addOutput().setType(new CodeableConcept().setText(name)).setValue(new IntegerType(count));
        }
    }
}
