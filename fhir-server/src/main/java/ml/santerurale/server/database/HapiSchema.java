package ml.santerurale.server.database;

import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Proof that HAPI's schema is migrated to this HAPI version. Anything that opens HAPI's
 * entity manager depends on this bean, so no query runs against an old schema.
 */
@Component
public class HapiSchema {

    HapiSchema(DataSource dataSource) {
        HapiSchemaMigration.migrate(dataSource);
    }
}
