package ml.santerurale.server.fulltext;

import ca.uhn.fhir.jpa.dao.IFulltextSearchSvc;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import ca.uhn.fhir.jpa.search.reindex.ResourceReindexer;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import javax.sql.DataSource;
import org.hibernate.search.mapper.orm.Search;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The full-text index's checkpoints and its catch-up after a crash (docs/ARCHITECTURE.md). */
@Configuration(proxyBeanMethods = false)
class FullTextConfig {

    @Bean
    FullTextCheckpoints fullTextCheckpoints(DataSource dataSource, EntityManagerFactory entityManagerFactory,
            FullTextProperties properties) {
        return new FullTextCheckpoints(new JdbcTemplate(dataSource),
                () -> Search.mapping(entityManagerFactory).scope(ResourceTable.class).workspace().flush(),
                properties.checkpointInterval());
    }

    /** A clean stop's last checkpoint, unless the database watch says the database is away. */
    @Bean
    FullTextCheckpointAtStop fullTextCheckpointAtStop(FullTextCheckpoints checkpoints,
            @Qualifier("databaseWatch") HealthIndicator databaseWatch) {
        return new FullTextCheckpointAtStop(checkpoints, () -> Status.UP.equals(databaseWatch.health().getStatus()));
    }

    /** Created once our migrations ran, before anything is written at this start. */
    @Bean
    @DependsOn("flywayInitializer")
    FullTextCatchUp fullTextCatchUp(DataSource dataSource, PlatformTransactionManager transactions, EntityManager entityManager,
            ResourceReindexer reindexer, IFulltextSearchSvc fullText, FullTextCheckpoints checkpoints,
            FullTextProperties properties) {
        TransactionTemplate transaction = new TransactionTemplate(transactions);
        FullTextCatchUp catchUp = new FullTextCatchUp(new JdbcTemplate(dataSource), transaction, entityManager, reindexer, fullText,
                () -> transaction.execute(status -> Search.session(entityManager).search(ResourceTable.class)
                        .where(f -> f.matchAll()).fetchTotalHitCount()),
                checkpoints, properties.catchUpBatchSize());
        catchUp.planAtStart();
        return catchUp;
    }
}
