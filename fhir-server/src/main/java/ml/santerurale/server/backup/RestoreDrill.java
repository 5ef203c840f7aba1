package ml.santerurale.server.backup;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.sql.DataSource;
import ml.santerurale.server.FhirServerApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The restore drill ({@code scripts/restore-drill.sh}): restores the latest backup to an instant
 * in a fresh directory ({@link PointInTimeRestore}), starts the server on it on free ports, and
 * compares the resources (count and checksum of every current version, per type:
 * {@link ResourceChecksums}) with the source database at that instant, as seen by PostgreSQL
 * right after recovery and by the server's own connection. Prints the target, the last
 * transaction recovered (the RPO achieved), the time to restore and the comparison; a mismatch,
 * or a restore or start that fails, is a non-zero exit.
 *
 * <p>Commits an empty transaction after the target on the source, forces a WAL segment switch and
 * waits until it is archived, so the archive covers the target even on an idle source. Never uses ports 8080, 8180 or 5433, never writes into the backup directory.
 * Does not check the Lucene index, which a restore does not bring back (README, "Backups").
 */
public final class RestoreDrill {

    private static final Set<Integer> RESERVED_PORTS = Set.of(8080, 8180, 5433);

    /** What the drill needs: the backup directory, the source database, the instant, where to restore. */
    record Options(Path backupDirectory, String sourceUrl, Instant target, Path workDirectory, Duration maxWait,
            List<String> serverArguments) {

        /** PostgreSQL keeps microseconds: the target is cut to them, the same for the restore and the source. */
        Options {
            target = target.truncatedTo(ChronoUnit.MICROS);
        }
    }

    record Report(Options options, PointInTimeRestore.Restored restored, Instant lastSourceWrite,
            Map<String, ResourceChecksums.Summary> source, Map<String, ResourceChecksums.Summary> server,
            int metadataStatus, Duration timeToRestore) {

        boolean matches() {
            return source.equals(restored.resources()) && source.equals(server) && metadataStatus == 200;
        }

        /** How far the last recovered transaction lies before the target. */
        Duration rpo() {
            return restored.lastReplayedCommit() == null ? null
                    : Duration.between(restored.lastReplayedCommit(), options.target());
        }

        void print(PrintStream out) {
            out.printf("Restore drill to %s%n", options.target());
            BaseBackup backup = restored.backup();
            out.printf("  base backup:           %s (finished %s, %d MB)%n", backup.directory().getFileName(), backup.finished(),
                    backup.sizeBytes() / (1024 * 1024));
            out.printf("  last commit recovered: %s%n", restored.lastReplayedCommit());
            out.printf("  RPO achieved:          %s before the target (the source's last resource write at or before it: %s)%n",
                    rpo() == null ? "n/a" : String.format("%.3f s", rpo().toNanos() / 1e9), lastSourceWrite);
            out.printf("  time to restore:       %s to PostgreSQL at the target, %s to the server answering%n",
                    seconds(restored.duration()), seconds(timeToRestore));
            out.printf("  GET /fhir/metadata on the restored server: %d%n", metadataStatus);
            out.printf("  %-20s %24s %24s %24s%n", "type", "source at target", "restored", "restored, via the server");
            Set<String> types = new TreeSet<>(source.keySet());
            types.addAll(restored.resources().keySet());
            types.addAll(server.keySet());
            for (String type : types) {
                out.printf("  %-20s %24s %24s %24s%s%n", type, cell(source.get(type)), cell(restored.resources().get(type)),
                        cell(server.get(type)), Objects.equals(source.get(type), restored.resources().get(type))
                                && Objects.equals(source.get(type), server.get(type)) ? "" : "  <-- MISMATCH");
            }
            out.println(matches() ? "RESULT: the restore matches the source at the target"
                    : "RESULT: MISMATCH between the restore and the source at the target");
        }

        private static String cell(ResourceChecksums.Summary summary) {
            return summary == null ? "-" : summary.count() + " " + summary.checksum().substring(0, 12);
        }

        private static String seconds(Duration duration) {
            return String.format("%.1f s", duration.toMillis() / 1000.0);
        }
    }

    private RestoreDrill() {}

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        Report report = run(options, fhirBase -> { });
        report.print(System.out);
        if (report.matches()) {
            BaseBackups.deleteTree(options.workDirectory());
        } else {
            System.out.println("Restored data kept in " + options.workDirectory());
        }
        System.exit(report.matches() ? 0 : 1);
    }

    /** Runs the drill; {@code whileServing} gets the restored server's FHIR base before it stops. */
    static Report run(Options options, Consumer<String> whileServing) throws Exception {
        long started = System.nanoTime();
        Map<String, ResourceChecksums.Summary> source;
        Instant lastSourceWrite;
        try (Connection connection = DriverManager.getConnection(options.sourceUrl())) {
            archiveCurrentSegment(connection, options.target(), options.maxWait());
            source = ResourceChecksums.at(connection, options.target());
            lastSourceWrite = ResourceChecksums.lastWriteAtOrBefore(connection, options.target());
        }
        Path data = options.workDirectory().resolve("postgres");
        PointInTimeRestore.Restored restored = PointInTimeRestore.restore(options.backupDirectory(), options.target(), data,
                freePort(), options.maxWait());
        int httpPort = freePort();
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=" + httpPort,
                "--srm.database.mode=embedded",
                "--srm.database.embedded.port=" + freePort(),
                "--srm.database.embedded.data-directory=" + data,
                "--srm.fhir.lucene-directory=" + options.workDirectory().resolve("lucene"),
                "--srm.backup.enabled=false",
                "--srm.backup.directory=" + options.workDirectory().resolve("backup"),
                "--srm.dhis2.base-url=",
                "--spring.main.banner-mode=off"));
        arguments.addAll(options.serverArguments());
        try (ConfigurableApplicationContext server = new SpringApplicationBuilder(FhirServerApplication.class)
                .run(arguments.toArray(String[]::new))) {
            int port = ((WebServerApplicationContext) server).getWebServer().getPort();
            int metadata = status("http://localhost:" + port + "/fhir/metadata");
            int readiness = status("http://localhost:" + port + "/actuator/health/readiness");
            Duration toServer = Duration.ofNanos(System.nanoTime() - started);
            Map<String, ResourceChecksums.Summary> viaServer;
            try (Connection connection = server.getBean(DataSource.class).getConnection()) {
                viaServer = ResourceChecksums.at(connection, options.target());
            }
            whileServing.accept("http://localhost:" + port + "/fhir");
            return new Report(options, restored, lastSourceWrite, source, viaServer, readiness == 200 ? metadata : readiness,
                    toServer);
        }
    }

    /**
     * Commits a transaction after {@code target} on the source, closes its current WAL segment and
     * waits until PostgreSQL has archived it. Recovery stops at the first commit after the target:
     * on an idle source there would be none in the archive, and PostgreSQL refuses to end a
     * recovery before its target ("recovery ended before configured recovery target was reached").
     */
    static void archiveCurrentSegment(Connection connection, Instant target, Duration maxWait) throws SQLException, InterruptedException {
        while (!Instant.now().isAfter(target)) {
            Thread.sleep(Math.max(1, Duration.between(Instant.now(), target).toMillis() + 1));
        }
        String segment;
        try (Statement statement = connection.createStatement()) {
            // An xid is assigned, so the commit writes a commit record (timestamped after the target).
            statement.execute("select txid_current()");
        }
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select pg_walfile_name(pg_switch_wal() - 1)")) {
            row.next();
            segment = row.getString(1);
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (true) {
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("select last_archived_wal from pg_stat_archiver")) {
                row.next();
                String archived = row.getString(1);
                if (archived != null && archived.length() >= 24 && archived.substring(8, 24).compareTo(segment.substring(8, 24)) >= 0) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("WAL segment " + segment + " not archived within " + maxWait
                        + ": is archiving failing? (pg_stat_archiver, srm_backup_wal_failing)");
            }
            Thread.sleep(200);
        }
    }

    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (!RESERVED_PORTS.contains(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    private static int status(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static Options parse(String[] args) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Usage: restore-drill [--backup-dir DIR] [--source-url JDBC_URL]"
                        + " [--target ISO_INSTANT] [--work-dir NEW_DIR] [--max-wait DURATION]; unexpected " + args[i]);
            }
            values.put(args[i].substring(2), args[++i]);
        }
        Path backup = Path.of(values.getOrDefault("backup-dir", env("SRM_BACKUP_DIR", env("SRM_DATA_DIR", ".data") + "/backup")));
        String source = values.getOrDefault("source-url",
                "jdbc:postgresql://localhost:" + env("SRM_EMBEDDED_DB_PORT", "5433") + "/postgres?user=postgres");
        Instant target = values.containsKey("target") ? Instant.parse(values.get("target")) : Instant.now();
        Path work = values.containsKey("work-dir") ? Path.of(values.get("work-dir")) : Files.createTempDirectory("restore-drill-");
        Duration maxWait = Duration.parse(values.getOrDefault("max-wait", "PT10M"));
        return new Options(backup.toAbsolutePath(), source, target, work.toAbsolutePath(), maxWait, List.of());
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
