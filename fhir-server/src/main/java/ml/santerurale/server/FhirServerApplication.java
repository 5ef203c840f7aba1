package ml.santerurale.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The Santé Rurale Mali FHIR server: HAPI FHIR JPA (R4) on PostgreSQL.
 *
 * <p>HAPI owns the JPA set-up (its own entity manager factory, see {@code fhir.FhirJpaConfig}, and
 * its own schema migrations). Quartz is excluded because HAPI schedules its jobs itself; the
 * Elasticsearch client and Thymeleaf come in with HAPI's jars but are not used (full-text search
 * runs on a local Lucene index).
 */
@SpringBootApplication(exclude = {
        QuartzAutoConfiguration.class,
        ElasticsearchRestClientAutoConfiguration.class,
        ThymeleafAutoConfiguration.class})
@ConfigurationPropertiesScan
public class FhirServerApplication {

    public static void main(String[] args) {
        SpringApplication.run(FhirServerApplication.class, args);
    }
}
