package ml.santerurale.server.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes base backups finished longer than the retention ago, never the newest one, then every
 * archived WAL segment older than the start segment of the oldest backup kept (what
 * {@code pg_archivecleanup} would delete: names compared without their timeline, timeline
 * history files kept). Without any base backup nothing is deleted.
 *
 * <p>Point-in-time recovery therefore reaches back to the oldest kept backup's end, not a full
 * retention before it. Does not touch anything else in the backup directory.
 */
final class BackupRetention {

    private static final Logger log = LoggerFactory.getLogger(BackupRetention.class);
    private static final Pattern WAL_FILE = Pattern.compile("^[0-9A-F]{24}(\\..*)?$");

    private final Path baseDirectory;
    private final Path walArchive;
    private final Duration retention;
    private final Clock clock;

    BackupRetention(Path baseDirectory, Path walArchive, Duration retention, Clock clock) {
        this.baseDirectory = baseDirectory;
        this.walArchive = walArchive;
        this.retention = retention;
        this.clock = clock;
    }

    /** Applies the retention; returns how many base backups and WAL files it deleted. */
    Deleted apply() throws IOException {
        List<BaseBackup> backups = BaseBackups.list(baseDirectory);
        if (backups.isEmpty()) {
            return new Deleted(0, 0);
        }
        Instant oldestKept = clock.instant().minus(retention);
        int backupsDeleted = 0;
        for (BaseBackup backup : backups.subList(0, backups.size() - 1)) {
            if (backup.finished().isBefore(oldestKept)) {
                BaseBackups.deleteTree(backup.directory());
                backupsDeleted++;
            }
        }
        String firstNeeded = BaseBackups.list(baseDirectory).get(0).startWalFile();
        int walDeleted = 0;
        if (Files.isDirectory(walArchive)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(walArchive)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (WAL_FILE.matcher(name).matches() && name.substring(8, 24).compareTo(firstNeeded.substring(8, 24)) < 0) {
                        Files.deleteIfExists(file);
                        walDeleted++;
                    }
                }
            }
        }
        if (backupsDeleted + walDeleted > 0) {
            log.info("Backup retention ({}): deleted {} base backups and {} archived WAL files older than {}", retention,
                    backupsDeleted, walDeleted, firstNeeded);
        }
        return new Deleted(backupsDeleted, walDeleted);
    }

    record Deleted(int baseBackups, int walFiles) {}
}
