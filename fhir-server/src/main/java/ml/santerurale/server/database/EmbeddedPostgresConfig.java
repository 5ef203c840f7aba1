package ml.santerurale.server.database;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Starts PostgreSQL 16 from the binaries Maven brought (zonky), keeping its data directory
 * across restarts, and points the connection pool at it. Stopped with the application context.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "srm.database.mode", havingValue = "embedded", matchIfMissing = true)
class EmbeddedPostgresConfig {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfig.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(DatabaseProperties properties) {
        var embedded = properties.embedded();
        try {
            Files.createDirectories(embedded.dataDirectory());
            var builder = EmbeddedPostgres.builder()
                    .setDataDirectory(embedded.dataDirectory())
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "100")
                    // zonky defaults to a test database (fsync off); these are patient records.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("timezone", "UTC");
            if (embedded.port() > 0) {
                builder.setPort(embedded.port());
            }
            EmbeddedPostgres postgres = builder.start();
            log.info("Embedded PostgreSQL listening on port {} with data in {}",
                    postgres.getPort(), embedded.dataDirectory().toAbsolutePath());
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in "
                    + embedded.dataDirectory().toAbsolutePath(), e);
        }
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres, DataSourceProperties dataSourceProperties) {
        HikariDataSource dataSource = dataSourceProperties.initializeDataSourceBuilder()
                .type(HikariDataSource.class)
                .driverClassName("org.postgresql.Driver")
                .url(postgres.getJdbcUrl("postgres", "postgres"))
                .username("postgres")
                .password("")
                .build();
        return dataSource;
    }
}
