package ml.santerurale.server.database;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Something that writes settings into the embedded PostgreSQL's data directory before each start
 * of its postmaster (after {@code initdb} on a first start), e.g. WAL archiving. Settings that
 * need a restart take effect at that start; the embedded database is never restarted to apply one.
 *
 * <p>Does not apply to an external PostgreSQL, whose settings are its operator's.
 */
@FunctionalInterface
public interface EmbeddedServerSettings {

    /** Called before every start of the postmaster on {@code dataDirectory}; a failure stops that start. */
    void beforeStart(Path dataDirectory) throws IOException;
}
