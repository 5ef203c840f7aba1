package ml.santerurale.server.backup;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Restores the embedded PostgreSQL to an instant: the newest base backup finished before it is
 * copied into a fresh data directory, which gets a {@code recovery.signal} and, in
 * {@value WalArchiving#SETTINGS_FILE}, {@code restore_command} (copying segments back from the
 * archive), {@code recovery_target_time} and {@code recovery_target_action = pause}, with archiving
 * off (a restore never writes into the archive it reads). PostgreSQL (the same embedded binaries)
 * replays the WAL up to the instant and pauses; what it holds then is read
 * ({@link ResourceChecksums}, the last replayed commit), and it is promoted and stopped cleanly,
 * ready for the server.
 *
 * <p>PostgreSQL refuses to start (and this throws) when the archive ends before the instant:
 * the WAL written after it must be archived first (the drill forces a segment switch on the
 * source). Does not restore the Lucene index (README, "Backups").
 */
final class PointInTimeRestore {

    private static final DateTimeFormatter POSTGRES_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS'+00'")
            .withZone(ZoneOffset.UTC);

    private PointInTimeRestore() {}

    record Restored(BaseBackup backup, Path dataDirectory, Instant lastReplayedCommit, Map<String, ResourceChecksums.Summary> resources,
            Duration duration) {}

    static Restored restore(Path backupDirectory, Instant target, Path dataDirectory, int port, Duration maxReplay)
            throws IOException, SQLException, InterruptedException {
        long started = System.nanoTime();
        BaseBackup backup = newestFinishedBefore(BaseBackups.list(backupDirectory.resolve("base")), target);
        if (Files.exists(dataDirectory)) {
            throw new IllegalArgumentException("Restore into a fresh directory, not " + dataDirectory);
        }
        copyTree(backup.data(), dataDirectory);
        Files.createFile(dataDirectory.resolve("recovery.signal"));
        WalArchiving.writeSettings(dataDirectory, "archive_mode = off\n"
                + "restore_command = '" + WalArchiving.restoreCommand(backupDirectory.resolve("wal")) + "'\n"
                + "recovery_target_time = '" + POSTGRES_TIME.format(target) + "'\n"
                + "recovery_target_action = 'pause'\n"
                + "hot_standby = on\n"
                + "track_commit_timestamp = on\n");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(maxReplay)
                .setServerConfig("timezone", "UTC")
                .setServerConfig("fsync", "on")
                .start();
                Connection connection = postgres.getPostgresDatabase().getConnection()) {
            awaitTarget(connection, maxReplay);
            Instant lastReplayed;
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("select pg_last_xact_replay_timestamp()")) {
                row.next();
                OffsetDateTime last = row.getObject(1, OffsetDateTime.class);
                lastReplayed = last == null ? null : last.toInstant();
            }
            Map<String, ResourceChecksums.Summary> resources = ResourceChecksums.at(connection, target);
            try (Statement statement = connection.createStatement()) {
                statement.execute("select pg_promote(true, 300)");
            }
            WalArchiving.writeSettings(dataDirectory, "archive_mode = off\ntrack_commit_timestamp = on\n");
            return new Restored(backup, dataDirectory, lastReplayed, resources, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /** The newest backup that finished before {@code target} (a backup is consistent only from its end). */
    static BaseBackup newestFinishedBefore(List<BaseBackup> backups, Instant target) {
        BaseBackup chosen = null;
        for (BaseBackup backup : backups) {
            if (backup.finished().isBefore(target)) {
                chosen = backup;
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("No base backup finished before " + target + " (" + backups.size() + " in all)");
        }
        return chosen;
    }

    private static void awaitTarget(Connection connection, Duration maxReplay) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + maxReplay.toNanos();
        while (true) {
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("select pg_is_in_recovery(), pg_get_wal_replay_pause_state()")) {
                row.next();
                if (!row.getBoolean(1) || "paused".equals(row.getString(2))) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Recovery did not reach the target within " + maxReplay);
            }
            Thread.sleep(100);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                Files.createDirectories(target.getParent());
                Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
