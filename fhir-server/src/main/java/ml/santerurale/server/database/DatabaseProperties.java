package ml.santerurale.server.database;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Where the database is. {@code embedded} starts a PostgreSQL 16 inside the JVM's process tree
 * (the one-command run and the tests); {@code external} uses {@code spring.datasource.*}
 * (production, set through {@code SPRING_DATASOURCE_URL}, {@code _USERNAME}, {@code _PASSWORD}).
 * {@code watchInterval}: how often {@link DatabaseWatch} checks that the database answers.
 */
@Validated
@ConfigurationProperties("srm.database")
public record DatabaseProperties(@NotNull Mode mode, @NotNull Embedded embedded, @NotNull Duration watchInterval) {

    public enum Mode { EMBEDDED, EXTERNAL }

    /**
     * @param dataDirectory kept across restarts; created on first start
     * @param port 0 picks a free port (tests)
     * @param restartAfter how long the postmaster must have been gone before the server starts it again
     */
    public record Embedded(@NotNull Path dataDirectory, @Min(0) @Max(65535) int port, @NotNull Duration restartAfter) {}
}
