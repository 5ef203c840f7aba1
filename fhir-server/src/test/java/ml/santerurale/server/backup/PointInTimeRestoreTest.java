package ml.santerurale.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestDirectories;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The restore drill, short: on the shared test server (WAL archived, base backups into its own
 * directory), versions written before the target instant come back with equal checksums, those
 * written after do not; the restored server answers for them through the API. Also the archive's
 * retention and the archive command's refusal to overwrite a different segment.
 */
class PointInTimeRestoreTest extends ServerIntegrationTest {

    @Autowired
    BaseBackups backups;

    @Autowired
    BackupProperties properties;

    @Autowired
    DataSource dataSource;

    @Test
    void theFirstBaseBackupIsTakenOnceTheServerIsReadyWithTheSitesCatalogueInIt() throws Exception {
        java.sql.Timestamp loaded = new org.springframework.jdbc.core.JdbcTemplate(dataSource)
                .queryForObject("select min(loaded_at) from srm_site_catalog_load", java.sql.Timestamp.class);
        Path base = properties.baseBackups();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (BaseBackups.list(base).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        BaseBackup first = BaseBackups.list(base).stream().min(java.util.Comparator.comparing(BaseBackup::started)).orElseThrow();
        assertThat(first.started()).as("the first base backup began after the start loaded the sites catalogue")
                .isAfter(loaded.toInstant());
    }

    @Test
    void aRestoreToAnInstantHoldsEveryVersionCommittedBeforeItAndNothingAfter() throws Exception {
        BaseBackup base = backups.take();
        assertThat(base.data().resolve("backup_label")).exists();
        assertThat(base.data().resolve("postmaster.pid")).doesNotExist();

        String updatedBefore = create("Avant");
        assertThat(putJson("/Patient/" + updatedBefore, json(updatedBefore, "Avant-Modifie")).statusCode()).isEqualTo(200);
        String deletedBefore = create("Supprime");
        assertThat(send(request("/Patient/" + deletedBefore).DELETE()).statusCode()).isEqualTo(200);
        String changedAfter = create("Change");

        Thread.sleep(1500);
        Instant target = Instant.now();
        Thread.sleep(1500);

        String createdAfter = create("Apres");
        assertThat(putJson("/Patient/" + changedAfter, json(changedAfter, "Change-Apres")).statusCode()).isEqualTo(200);

        String sourceUrl = dataSource.unwrap(HikariDataSource.class).getJdbcUrl();
        Path work = TestDirectories.create("backup-drill-");
        List<String> seen = new ArrayList<>();
        RestoreDrill.Report report = RestoreDrill.run(new RestoreDrill.Options(properties.directory().toAbsolutePath(), sourceUrl,
                target, work, Duration.ofMinutes(3), List.of("--srm.security.issuers[0].issuer=" + TestTokens.ISSUER,
                        "--srm.security.issuers[0].jwks-uri=" + TestTokens.get().jwksUri())),
                fhirBase -> {
                    seen.add(read(fhirBase, updatedBefore));
                    seen.add(read(fhirBase, deletedBefore));
                    seen.add(read(fhirBase, changedAfter));
                    seen.add(read(fhirBase, createdAfter));
                });
        report.print(System.out);

        assertThat(report.matches()).as("restored resources equal the source's at the target").isTrue();
        assertThat(seen).containsExactly("200 v2 Avant-Modifie", "410", "200 v1 Change", "404");
        assertThat(report.restored().lastReplayedCommit()).as("last commit recovered")
                .isBeforeOrEqualTo(target).isAfterOrEqualTo(report.lastSourceWrite());
        try (Connection source = dataSource.getConnection()) {
            Map<String, ResourceChecksums.Summary> now = ResourceChecksums.at(source, Instant.now());
            assertThat(report.restored().resources().get("Patient")).as("the writes after the target are not restored")
                    .isNotEqualTo(now.get("Patient"));
        }
        BaseBackups.deleteTree(work);
    }

    @Test
    void retentionDeletesOldBackupsButTheNewestAndTheWalOnlyTheyNeeded() throws Exception {
        Path directory = TestDirectories.create("backup-retention-");
        Instant now = Instant.parse("2026-12-05T01:00:00Z");
        for (int day : List.of(40, 35, 3)) {
            Path backup = Files.createDirectories(directory.resolve("base/" + day));
            new BaseBackup(backup, now.minus(Duration.ofDays(day)), now.minus(Duration.ofDays(day)),
                    String.format("0000000100000000000000%02X", 100 - day), 1).writeManifest();
        }
        Path wal = Files.createDirectories(directory.resolve("wal"));
        for (String name : List.of("00000001000000000000003C", "000000010000000000000060", "000000020000000000000061",
                "000000010000000000000061.00000028.backup", "00000002.history")) {
            Files.writeString(wal.resolve(name), name);
        }
        BackupRetention.Deleted deleted = new BackupRetention(directory.resolve("base"), wal, Duration.ofDays(30),
                java.time.Clock.fixed(now, java.time.ZoneOffset.UTC)).apply();
        assertThat(deleted).isEqualTo(new BackupRetention.Deleted(2, 2));
        assertThat(BaseBackups.list(directory.resolve("base"))).extracting(b -> b.directory().getFileName().toString())
                .containsExactly("3");
        try (var left = Files.list(wal)) {
            assertThat(left.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "000000010000000000000061.00000028.backup", "00000002.history", "000000020000000000000061");
        }
        // Once only one backup is left, it is kept however old.
        assertThat(new BackupRetention(directory.resolve("base"), wal, Duration.ofDays(1),
                java.time.Clock.fixed(now.plus(Duration.ofDays(100)), java.time.ZoneOffset.UTC)).apply().baseBackups()).isZero();
        BaseBackups.deleteTree(directory);
    }

    @Test
    void theArchiveCommandNeverOverwritesADifferentSegment() throws Exception {
        Path directory = TestDirectories.create("backup-archive-");
        Path archive = Files.createDirectories(directory.resolve("wal"));
        Path segment = Files.writeString(directory.resolve("000000010000000000000001"), "first");
        String command = WalArchiving.archiveCommand(archive).replace("%p", segment.toString()).replace("%f", "000000010000000000000001");
        assertThat(run(command)).as("archived").isZero();
        assertThat(archive.resolve("000000010000000000000001")).hasContent("first");
        assertThat(run(command)).as("the same bytes again: a retry after a crash").isZero();
        Files.writeString(segment, "other");
        assertThat(run(command)).as("different bytes under the same name").isNotZero();
        assertThat(archive.resolve("000000010000000000000001")).hasContent("first");
        BaseBackups.deleteTree(directory);
    }

    private static int run(String shellCommand) throws Exception {
        return new ProcessBuilder("/bin/sh", "-c", shellCommand).inheritIO().start().waitFor();
    }

    private String create(String family) {
        String id = UUID.randomUUID().toString();
        HttpResponse<String> created = putJson("/Patient/" + id, json(id, family));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return id;
    }

    private String json(String id, String family) {
        Patient patient = ClinicalRecords.patient(family, "Awa", "cscom-konobougou");
        patient.setId(id);
        return fhirContext.newJsonParser().encodeResourceToString(patient);
    }

    private String read(String fhirBase, String id) {
        HttpResponse<String> read = send(HttpRequest.newBuilder(URI.create(fhirBase + "/Patient/" + id))
                .header("Authorization", "Bearer " + token()).GET());
        if (read.statusCode() != 200) {
            return Integer.toString(read.statusCode());
        }
        Patient patient = fhirContext.newJsonParser().parseResource(Patient.class, read.body());
        return "200 v" + patient.getMeta().getVersionId() + " " + patient.getNameFirstRep().getFamily();
    }
}
