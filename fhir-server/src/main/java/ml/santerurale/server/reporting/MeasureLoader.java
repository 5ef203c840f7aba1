package ml.santerurale.server.reporting;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.Measure;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * Stores the report Measures at start (shared data, default partition), as updates of the same
 * ids: an unchanged Measure makes no new version. Clients only read them (policy kind reporting).
 */
final class MeasureLoader implements ApplicationRunner {

    private final DaoRegistry daos;

    MeasureLoader(DaoRegistry daos) {
        this.daos = daos;
    }

    @Override
    public void run(ApplicationArguments args) {
        for (ReportMeasure measure : ReportMeasure.values()) {
            daos.getResourceDao(Measure.class).update(measure.toResource(),
                    SystemRequestDetails.forRequestPartitionId(RequestPartitionId.defaultPartition()));
        }
    }
}
