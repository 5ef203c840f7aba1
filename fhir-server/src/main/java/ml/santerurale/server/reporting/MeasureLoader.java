package ml.santerurale.server.reporting;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.Measure;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * Stores the report Measures at start (shared data, default partition), as updates of the same
 * ids, and only those that differ from the stored ones: an unchanged Measure is neither written
 * nor indexed again (HAPI's update of an identical resource makes no new version, but extracts its
 * search parameters to find out, which needed the core definitions parsed before the server could
 * be ready: 2 s of a restart, issue 17). Clients only read them (policy kind reporting).
 */
final class MeasureLoader implements ApplicationRunner {

    private final DaoRegistry daos;

    MeasureLoader(DaoRegistry daos) {
        this.daos = daos;
    }

    @Override
    public void run(ApplicationArguments args) {
        IFhirResourceDao<Measure> dao = daos.getResourceDao(Measure.class);
        SystemRequestDetails request = SystemRequestDetails.forRequestPartitionId(RequestPartitionId.defaultPartition());
        for (ReportMeasure measure : ReportMeasure.values()) {
            Measure wanted = measure.toResource();
            if (!storedAs(dao, wanted, request)) {
                dao.update(wanted, request);
            }
        }
    }

    /** Whether the stored Measure of the same id has the same content (its id and meta aside). */
    static boolean storedAs(IFhirResourceDao<Measure> dao, Measure wanted, SystemRequestDetails request) {
        Measure stored;
        try {
            stored = dao.read(wanted.getIdElement().toUnqualifiedVersionless(), request);
        } catch (ResourceNotFoundException | ResourceGoneException notThere) {
            return false;
        }
        return content(stored).equalsDeep(content(wanted));
    }

    private static Measure content(Measure measure) {
        Measure copy = measure.copy();
        copy.setIdElement(null);
        copy.setMeta(null);
        return copy;
    }
}
