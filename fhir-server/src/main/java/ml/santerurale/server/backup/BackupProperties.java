package ml.santerurale.server.backup;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Backups of the embedded PostgreSQL ({@code srm.backup.*}): continuous WAL archiving into
 * {@code directory/wal} and base backups into {@code directory/base} on {@code cron} (UTC), kept
 * for {@code retention}. Off with an external PostgreSQL, whose operator backs it up
 * (ops/README.md).
 *
 * @param enabled false: no archiving, no base backups (the restore drill's own server)
 * @param directory {@code SRM_BACKUP_DIR}; on another disk than the data in production
 * @param retention {@code SRM_BACKUP_RETENTION}: base backups older than this are deleted (the newest is always kept)
 * @param cron when base backups are taken (Spring cron, UTC); one is also taken at start when none exists
 * @param archiveTimeout PostgreSQL's {@code archive_timeout}: the longest a committed write waits
 *     before its WAL segment is archived, which bounds the data lost with the disk (RPO)
 */
@Validated
@ConfigurationProperties("srm.backup")
public record BackupProperties(boolean enabled, @NotNull Path directory, @NotNull Duration retention,
        @NotBlank String cron, @NotNull Duration archiveTimeout) {

    Path walArchive() {
        return directory.resolve("wal");
    }

    Path baseBackups() {
        return directory.resolve("base");
    }
}
