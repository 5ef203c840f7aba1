package ml.santerurale.server.database;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded PostgreSQL ({@link EmbeddedDatabase}) and the connection pool pointed at it.
 * Stopped with the application context.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "srm.database.mode", havingValue = "embedded", matchIfMissing = true)
class EmbeddedPostgresConfig {

    @Bean(destroyMethod = "close")
    EmbeddedDatabase embeddedDatabase(DatabaseProperties properties, ObjectProvider<EmbeddedServerSettings> settings) {
        return new EmbeddedDatabase(properties.embedded(), settings.orderedStream().toList());
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedDatabase database, DataSourceProperties dataSourceProperties) {
        return dataSourceProperties.initializeDataSourceBuilder()
                .type(HikariDataSource.class)
                .driverClassName("org.postgresql.Driver")
                .url(database.jdbcUrl())
                .username("postgres")
                .password("")
                .build();
    }
}
