package ml.santerurale.server.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Base backups of the embedded PostgreSQL with its low-level API (the embedded binaries have no
 * {@code pg_basebackup}): {@code pg_backup_start} on one session, a copy of the data directory
 * while the server runs, {@code pg_backup_stop} on the same session (which waits until the WAL the
 * copy needs is archived), and the {@code backup_label} it returns written into the copy. The copy
 * goes to {@code base/<instant>.partial} and is renamed once its manifest is written.
 *
 * <p>The copy alone is inconsistent (files change while they are copied): it restores only
 * together with the archived WAL from its start segment on ({@link PointInTimeRestore}). Does not
 * flush the copied files to disk one by one, and copies no tablespace outside the data directory
 * (the server creates none).
 */
final class BaseBackups {

    /** What PostgreSQL's documentation says to leave out of a base backup (contents, or the file itself). */
    private static final Set<String> EMPTY_DIRECTORIES = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
            "tablespace_map", "backup_label.old", "epg-lock", WalArchiving.SETTINGS_FILE + ".tmp");
    private static final Pattern START_WAL = Pattern.compile("START WAL LOCATION: \\S+ \\(file ([0-9A-F]{24})\\)");
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String PARTIAL = ".partial";

    private final DataSource dataSource;
    private final Path dataDirectory;
    private final Path baseDirectory;
    private final Clock clock;

    BaseBackups(DataSource dataSource, Path dataDirectory, Path baseDirectory, Clock clock) {
        this.dataSource = dataSource;
        this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
        this.baseDirectory = baseDirectory.toAbsolutePath().normalize();
        this.clock = clock;
    }

    /** Takes a base backup now; one at a time. */
    synchronized BaseBackup take() throws IOException, SQLException {
        Files.createDirectories(baseDirectory);
        deleteUnfinished();
        Instant started = clock.instant();
        Path target = baseDirectory.resolve(NAME.format(started) + PARTIAL);
        try (Connection session = dataSource.getConnection()) {
            session.setAutoCommit(true);
            try (PreparedStatement start = session.prepareStatement("select pg_backup_start(?, true)")) {
                start.setString(1, "srm " + started);
                start.execute();
            }
            try {
                copyDataDirectory(target.resolve("data"));
            } catch (IOException | RuntimeException e) {
                abort(session);
                throw e;
            }
            String label;
            String tablespaceMap;
            try (Statement stop = session.createStatement()) {
                // Waits until the WAL the copy needs is archived; a broken archive must not hold the thread for ever.
                stop.execute("set statement_timeout = '15min'");
                try (ResultSet result = stop.executeQuery("select labelfile, spcmapfile from pg_backup_stop(true)")) {
                    result.next();
                    label = result.getString(1);
                    tablespaceMap = result.getString(2);
                } finally {
                    stop.execute("reset statement_timeout");
                }
            }
            Files.writeString(target.resolve("data/backup_label"), label);
            if (tablespaceMap != null && !tablespaceMap.isEmpty()) {
                Files.writeString(target.resolve("data/tablespace_map"), tablespaceMap);
            }
            Matcher startWal = START_WAL.matcher(label);
            if (!startWal.find()) {
                throw new IllegalStateException("No start WAL file in the backup label: " + label);
            }
            BaseBackup partial = new BaseBackup(target, started, clock.instant(), startWal.group(1), size(target));
            partial.writeManifest();
            Path finished = baseDirectory.resolve(NAME.format(started));
            Files.move(target, finished, StandardCopyOption.ATOMIC_MOVE);
            return new BaseBackup(finished, partial.started(), partial.finished(), partial.startWalFile(), partial.sizeBytes());
        } catch (IOException | SQLException | RuntimeException e) {
            deleteTree(target);
            throw e;
        }
    }

    /** Finished backups, oldest first. */
    List<BaseBackup> list() {
        return list(baseDirectory);
    }

    static List<BaseBackup> list(Path baseDirectory) {
        List<BaseBackup> backups = new ArrayList<>();
        if (!Files.isDirectory(baseDirectory)) {
            return backups;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(baseDirectory)) {
            for (Path entry : entries) {
                BaseBackup backup = entry.getFileName().toString().endsWith(PARTIAL) ? null : BaseBackup.read(entry);
                if (backup != null) {
                    backups.add(backup);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        backups.sort(Comparator.comparing(BaseBackup::finished));
        return backups;
    }

    Optional<BaseBackup> latest() {
        List<BaseBackup> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    private void copyDataDirectory(Path copy) throws IOException {
        Files.walkFileTree(dataDirectory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) throws IOException {
                Path relative = dataDirectory.relativize(directory);
                Path target = copy.resolve(relative.toString());
                Files.createDirectories(target.getParent());
                // With its permissions: PostgreSQL refuses a data directory others may read.
                Files.copy(directory, target, StandardCopyOption.COPY_ATTRIBUTES);
                if (relative.getNameCount() == 1 && EMPTY_DIRECTORIES.contains(relative.toString())) {
                    if (relative.toString().equals("pg_wal")) {
                        Files.copy(directory.resolve("archive_status"), target.resolve("archive_status"),
                                StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Path relative = dataDirectory.relativize(file);
                String name = file.getFileName().toString();
                boolean skipped = (relative.getNameCount() == 1 && SKIPPED_FILES.contains(name)) || name.startsWith("pgsql_tmp");
                if (!skipped) {
                    try {
                        Files.copy(file, copy.resolve(relative.toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    } catch (NoSuchFileException droppedMeanwhile) {
                        // A table dropped during the copy: the WAL replay drops it too.
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    private static void abort(Connection session) {
        try (Statement stop = session.createStatement()) {
            stop.execute("select pg_backup_stop(false)");
        } catch (SQLException ignored) {
            // Ending the session aborts the backup anyway.
        }
    }

    private void deleteUnfinished() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(baseDirectory, "*" + PARTIAL)) {
            for (Path entry : entries) {
                deleteTree(entry);
            }
        }
    }

    static long size(Path directory) throws IOException {
        try (var files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }

    static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
