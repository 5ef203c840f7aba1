package ml.santerurale.server.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.Measure;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The report Measures are written at start only when they differ from the stored ones. */
class MeasureLoaderTest extends ServerIntegrationTest {

    @Autowired
    DaoRegistry daos;

    @Test
    void aStoredMeasureIsSeenUnchangedAndNotWrittenAgainWhileAChangedOneIs() {
        IFhirResourceDao<Measure> dao = daos.getResourceDao(Measure.class);
        SystemRequestDetails request = SystemRequestDetails.forRequestPartitionId(RequestPartitionId.defaultPartition());
        for (ReportMeasure measure : ReportMeasure.values()) {
            String version = dao.read(measure.toResource().getIdElement().toUnqualifiedVersionless(), request).getMeta().getVersionId();

            assertThat(MeasureLoader.storedAs(dao, measure.toResource(), request)).as(measure.name()).isTrue();
            Measure changed = measure.toResource();
            changed.getGroupFirstRep().setDescription("another criterion");
            assertThat(MeasureLoader.storedAs(dao, changed, request)).as("%s with another criterion", measure.name()).isFalse();
            Measure unknown = measure.toResource();
            unknown.setId("no-such-measure");
            assertThat(MeasureLoader.storedAs(dao, unknown, request)).isFalse();

            new MeasureLoader(daos).run(null);
            assertThat(dao.read(measure.toResource().getIdElement().toUnqualifiedVersionless(), request).getMeta().getVersionId())
                    .as("no new version of %s", measure.name()).isEqualTo(version);
        }
    }
}
