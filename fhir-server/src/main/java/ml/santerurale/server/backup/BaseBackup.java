package ml.santerurale.server.backup;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/**
 * One finished base backup: {@code directory/data} is the copy of the data directory with its
 * {@code backup_label}, {@code directory/backup.properties} what is known of it. A directory
 * without {@code backup.properties} is not a backup (one cut short, or being written).
 *
 * @param startWalFile the first WAL segment a restore needs (from {@code backup_label}); segments
 *     before it are not needed by this backup
 */
record BaseBackup(Path directory, Instant started, Instant finished, String startWalFile, long sizeBytes) {

    static final String MANIFEST = "backup.properties";

    Path data() {
        return directory.resolve("data");
    }

    Duration duration() {
        return Duration.between(started, finished);
    }

    void writeManifest() throws IOException {
        Properties manifest = new Properties();
        manifest.setProperty("started", started.toString());
        manifest.setProperty("finished", finished.toString());
        manifest.setProperty("start-wal-file", startWalFile);
        manifest.setProperty("size-bytes", Long.toString(sizeBytes));
        try (Writer out = Files.newBufferedWriter(directory.resolve(MANIFEST))) {
            manifest.store(out, "Base backup of the embedded PostgreSQL (backup.BaseBackups)");
        }
    }

    /** The backup in {@code directory}, or null when it has no manifest (not finished). */
    static BaseBackup read(Path directory) {
        Path file = directory.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties manifest = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            manifest.load(in);
            return new BaseBackup(directory, Instant.parse(manifest.getProperty("started")),
                    Instant.parse(manifest.getProperty("finished")), manifest.getProperty("start-wal-file"),
                    Long.parseLong(manifest.getProperty("size-bytes")));
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }
}
