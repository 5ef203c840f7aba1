package ml.santerurale.server.reporting;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.time.Clock;
import ml.santerurale.dhis2.Dhis2Config;
import ml.santerurale.dhis2.Dhis2Mapping;
import ml.santerurale.dhis2.Dhis2Properties;
import ml.santerurale.dhis2.ExportJournal;
import ml.santerurale.interceptors.access.AccessPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reporting (issue 15): the report Measures, their evaluation per site and period
 * ({@code Measure/<id>/$evaluate-measure}), and the DHIS2 export ({@code $dhis2-export}) whose
 * mapping, journal and delivery route are the {@code mappings/dhis2} module's.
 */
@Configuration(proxyBeanMethods = false)
@Import(Dhis2Config.class)
class ReportingConfig {

    @Bean
    ReportingSites reportingSites(DaoRegistry daos) {
        return new ReportingSites(daos);
    }

    @Bean
    ReportEvaluation reportEvaluation(DaoRegistry daos, JdbcTemplate jdbc, PartitionSettings partitions) {
        return new ReportEvaluation(new SiteActivityReader(daos, new IndexedConsultations(jdbc, partitions)));
    }

    @Bean
    MeasureLoader measureLoader(DaoRegistry daos) {
        return new MeasureLoader(daos);
    }

    @Bean
    EvaluateMeasureOperation evaluateMeasureOperation(ReportEvaluation evaluation, ReportingSites sites, AccessPolicy policy,
            RestfulServer restfulServer) {
        EvaluateMeasureOperation operation = new EvaluateMeasureOperation(evaluation, sites, policy);
        restfulServer.registerProvider(operation);
        return operation;
    }

    @Bean
    Dhis2Export dhis2Export(ReportEvaluation evaluation, Dhis2Mapping mapping, Dhis2Properties properties, ExportJournal journal,
            DaoRegistry daos) {
        return new Dhis2Export(evaluation, mapping, properties, journal, daos, Clock.systemUTC());
    }

    @Bean
    LateDataReexport lateDataReexport(ExportJournal journal, Dhis2Export export, ReportingSites sites, JdbcTemplate jdbc,
            Dhis2Properties properties) {
        return new LateDataReexport(journal, export, sites, jdbc, properties, Clock.systemUTC());
    }

    @Bean
    ExportSchedule dhis2ExportSchedule(LateDataReexport exports, Dhis2Properties properties) {
        return new ExportSchedule(exports, properties);
    }

    @Bean
    Dhis2JournalOperation dhis2JournalOperation(ExportJournal journal, ReportingSites sites, RestfulServer restfulServer) {
        Dhis2JournalOperation operation = new Dhis2JournalOperation(journal, sites);
        restfulServer.registerProvider(operation);
        return operation;
    }

    @Bean
    Dhis2ExportOperation dhis2ExportOperation(Dhis2Export export, ReportingSites sites, Dhis2Properties properties,
            RestfulServer restfulServer) {
        Dhis2ExportOperation operation = new Dhis2ExportOperation(export, sites, properties);
        restfulServer.registerProvider(operation);
        return operation;
    }
}
