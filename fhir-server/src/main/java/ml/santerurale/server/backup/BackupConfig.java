package ml.santerurale.server.backup;

import java.time.Clock;
import javax.sql.DataSource;
import ml.santerurale.server.database.DatabaseProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Backups of the embedded PostgreSQL (README, "Backups"): WAL archiving settings always (so that
 * turning backups off turns archiving off), base backups, retention and metrics when
 * {@code srm.backup.enabled}. Nothing with an external PostgreSQL.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "srm.database.mode", havingValue = "embedded", matchIfMissing = true)
class BackupConfig {

    @Bean
    WalArchiving walArchiving(BackupProperties properties) {
        return new WalArchiving(properties);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "srm.backup.enabled", matchIfMissing = true)
    BackupMetrics backupMetrics(DataSource dataSource) {
        return new BackupMetrics(dataSource, Clock.systemUTC());
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "srm.backup.enabled", matchIfMissing = true)
    BaseBackups baseBackups(DataSource dataSource, DatabaseProperties database, BackupProperties properties) {
        return new BaseBackups(dataSource, database.embedded().dataDirectory(), properties.baseBackups(), Clock.systemUTC());
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "srm.backup.enabled", matchIfMissing = true)
    BackupSchedule backupSchedule(BaseBackups backups, BackupMetrics metrics, BackupProperties properties) {
        return new BackupSchedule(backups, new BackupRetention(properties.baseBackups(), properties.walArchive(),
                properties.retention(), Clock.systemUTC()), metrics, properties.cron());
    }
}
