package ml.santerurale.server.database;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;

/**
 * The database watch (readiness, immediate 503 while the database is away) and the pool that
 * refuses at once while it says so ({@link FailFastDataSource}), in either mode.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseWatchConfig {

    /**
     * Every consumer of the pool (HAPI's JPA, our JDBC, Flyway) gets it through
     * {@link FailFastDataSource}; first of the post-processors, so that the JDBC tracing proxy,
     * when on, wraps the fail-fast pool rather than hiding the pool from it.
     */
    @Bean
    static BeanPostProcessor failFastDataSource() {
        return new FailFastWrapping();
    }

    private static final class FailFastWrapping implements BeanPostProcessor, PriorityOrdered {
        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            return bean instanceof HikariDataSource pool ? new FailFastDataSource(pool) : bean;
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    @Bean(destroyMethod = "close")
    DatabaseWatch databaseWatch(DataSource dataSource, DatabaseProperties properties,
            ObjectProvider<EmbeddedDatabase> embedded) throws SQLException {
        EmbeddedDatabase own = embedded.getIfAvailable();
        Runnable whileAway = own == null ? () -> { } : own::restartIfGone;
        DatabaseWatch watch = new DatabaseWatch(dataSource.unwrap(HikariDataSource.class),
                dataSource.unwrap(FailFastDataSource.class), properties.watchInterval(), whileAway);
        watch.start();
        return watch;
    }

    @Bean
    DatabaseAwayGate databaseAwayGate(DatabaseWatch watch, IInterceptorService interceptorService) {
        DatabaseAwayGate gate = new DatabaseAwayGate(watch);
        interceptorService.registerInterceptor(gate);
        return gate;
    }
}
