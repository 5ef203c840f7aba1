package ml.santerurale.server.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;
import ml.santerurale.server.database.EmbeddedServerSettings;

/**
 * Continuous WAL archiving of the embedded PostgreSQL: before each start, writes
 * {@value #SETTINGS_FILE} into its data directory (and includes it from {@code postgresql.conf}
 * once) with {@code archive_mode}, an {@code archive_command} that copies each finished segment into
 * {@code SRM_BACKUP_DIR/wal}, {@code archive_timeout}, and {@code track_commit_timestamp} (the
 * restore drill reads the state of the source at an instant from commit timestamps). With backups
 * off the same file says {@code archive_mode = off}, so turning them off takes effect.
 *
 * <p>The command never overwrites an archived segment: an existing file with the same name counts
 * as archived only if its bytes are identical (a retry after a crash), else archiving fails and
 * PostgreSQL keeps the segment and retries. A copy goes to a temporary name, is flushed to disk
 * and renamed, so a reader never sees half a segment. Does not guarantee anything about the
 * archive's disk: put {@code SRM_BACKUP_DIR} on another disk than the data.
 */
final class WalArchiving implements EmbeddedServerSettings {

    static final String SETTINGS_FILE = "srm-backup.conf";
    private static final String INCLUDE = "include_if_exists = '" + SETTINGS_FILE + "'";
    /** Characters that would need quoting inside the shell command or the configuration value. */
    private static final Pattern UNSAFE = Pattern.compile("[\"'`$\\\\\\s%]");

    private final BackupProperties properties;

    WalArchiving(BackupProperties properties) {
        this.properties = properties;
    }

    @Override
    public void beforeStart(Path dataDirectory) throws IOException {
        includeFromMainConfig(dataDirectory);
        String settings;
        if (properties.enabled()) {
            Path archive = properties.walArchive().toAbsolutePath().normalize();
            Files.createDirectories(archive);
            settings = "archive_mode = on\n"
                    + "archive_command = '" + archiveCommand(archive) + "'\n"
                    + "archive_timeout = " + Math.max(1, properties.archiveTimeout().toSeconds()) + "\n"
                    + "wal_level = replica\n"
                    + "track_commit_timestamp = on\n";
        } else {
            settings = "archive_mode = off\ntrack_commit_timestamp = on\n";
        }
        writeSettings(dataDirectory, settings);
    }

    /** The shell command PostgreSQL runs for each finished WAL segment ({@code %p} its path, {@code %f} its name). */
    static String archiveCommand(Path archive) {
        String directory = archive.toString();
        if (UNSAFE.matcher(directory).find()) {
            throw new IllegalArgumentException("SRM_BACKUP_DIR must not contain quotes, spaces, $, %, ` or \\: " + directory);
        }
        return "f=\"" + directory + "/%f\"; if [ -f \"$f\" ]; then cmp -s \"%p\" \"$f\"; "
                + "else cp \"%p\" \"$f.tmp\" && sync \"$f.tmp\" && mv \"$f.tmp\" \"$f\" && sync \"" + directory + "\"; fi";
    }

    /** The command a restore uses to fetch segments back from {@code archive}. */
    static String restoreCommand(Path archive) {
        String directory = archive.toAbsolutePath().normalize().toString();
        if (UNSAFE.matcher(directory).find()) {
            throw new IllegalArgumentException("The WAL archive's path must not contain quotes, spaces, $, %, ` or \\: " + directory);
        }
        return "cp \"" + directory + "/%f\" \"%p\"";
    }

    static void writeSettings(Path dataDirectory, String settings) throws IOException {
        Path file = dataDirectory.resolve(SETTINGS_FILE);
        Path temporary = dataDirectory.resolve(SETTINGS_FILE + ".tmp");
        Files.writeString(temporary, "# Written by the FHIR server before each start of PostgreSQL (backup.WalArchiving); edits are lost.\n"
                + settings);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void includeFromMainConfig(Path dataDirectory) throws IOException {
        Path main = dataDirectory.resolve("postgresql.conf");
        String config = Files.readString(main);
        if (!config.contains(INCLUDE)) {
            Files.writeString(main, config + (config.endsWith("\n") ? "" : "\n") + INCLUDE + "\n");
        }
    }
}
