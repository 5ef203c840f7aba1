package ml.santerurale.server.database;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.SchemaMigrator;
import ca.uhn.fhir.jpa.migrate.tasks.HapiFhirJpaMigrationTasks;
import ca.uhn.fhir.util.VersionEnum;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades HAPI's own schema with HAPI's migration tasks (the same ones its
 * {@code migrate-database} CLI runs), so a schema is reproducible from the HAPI version alone
 * and Hibernate never alters tables. Idempotent: tasks already recorded in
 * {@code FLY_HFJ_MIGRATION} are skipped.
 */
final class HapiSchemaMigration {

    private static final Logger log = LoggerFactory.getLogger(HapiSchemaMigration.class);

    private HapiSchemaMigration() {}

    static void migrate(DataSource dataSource) {
        long started = System.nanoTime();
        HapiMigrator migrator = new HapiMigrator(
                SchemaMigrator.HAPI_FHIR_MIGRATION_TABLENAME, dataSource, DriverTypeEnum.POSTGRES_9_4);
        migrator.createMigrationTableIfRequired();
        migrator.addTasks(new HapiFhirJpaMigrationTasks(Set.of()).getAllTasks(VersionEnum.values()));
        MigrationResult result = migrator.migrate();
        log.info("HAPI schema migration: {} task(s) run, {} statement(s), in {} ms",
                result.succeededTasks.size(), result.changes,
                (System.nanoTime() - started) / 1_000_000);
    }
}
