package ml.santerurale.dhis2;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The DHIS2 module's beans: the mapping (read and checked at start), the journal, and the delivery
 * route, which exists only when {@code srm.dhis2.base-url} is set (export off otherwise).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(Dhis2Properties.class)
public class Dhis2Config {

    @Bean
    Dhis2Mapping dhis2Mapping(Dhis2Properties properties) throws IOException {
        try (InputStream in = properties.mappingFile().getInputStream()) {
            return Dhis2Mapping.read(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("DHIS2 mapping " + properties.mappingFile() + ": " + e.getMessage(), e);
        }
    }

    @Bean
    ExportJournal dhis2ExportJournal(JdbcTemplate jdbc, Dhis2Properties properties, MeterRegistry meters) {
        for (ExportJournal.Outcome outcome : ExportJournal.Outcome.values()) {
            meters.counter("srm.dhis2.exports", "status", outcome.name().toLowerCase());
        }
        return new ExportJournal(jdbc, properties, meters);
    }

    /** The last-success gauges come back from the journal once the application (and its schema) is up. */
    @Bean
    org.springframework.boot.ApplicationRunner dhis2LastSuccessGauges(ExportJournal journal) {
        return args -> journal.restoreLastSuccess();
    }

    @Bean
    @ConditionalOnExpression("'${srm.dhis2.base-url:}'.trim().length() > 0")
    Dhis2DeliveryRoute dhis2DeliveryRoute(ExportJournal journal, Dhis2Properties properties) {
        return new Dhis2DeliveryRoute(journal, properties);
    }
}
