package ml.santerurale.server.database;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The database watch (readiness, immediate 503 while the database is away), in either mode. */
@Configuration(proxyBeanMethods = false)
class DatabaseWatchConfig {

    @Bean(destroyMethod = "close")
    DatabaseWatch databaseWatch(DataSource dataSource, DatabaseProperties properties,
            ObjectProvider<EmbeddedDatabase> embedded) throws SQLException {
        EmbeddedDatabase own = embedded.getIfAvailable();
        Runnable whileAway = own == null ? () -> { } : own::restartIfGone;
        DatabaseWatch watch = new DatabaseWatch(dataSource.unwrap(HikariDataSource.class), properties.watchInterval(), whileAway);
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
