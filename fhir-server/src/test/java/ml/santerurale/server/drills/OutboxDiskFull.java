package ml.santerurale.server.drills;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The disk that holds the audit outbox fills up: a small tmpfs is mounted, {@code srm_audit_outbox}
 * (and its TOAST table) moved onto it as a tablespace, the rest of it filled with a file and the
 * room left in the table's own pages taken by an open transaction ({@link #takeFreeSpace}); devices
 * push meanwhile; then the file is removed and the pushes must go through. Every write records its
 * audit events in the outbox inside its own transaction, so a write must be refused whole (503 with
 * {@code Retry-After}, never a 500 nor SQL text) while the outbox cannot grow.
 *
 * <p>Needs {@code mount -t tmpfs} (root, a kernel and container that allow it): where mounting is
 * refused the scenario is skipped and says why. Does not fill the disk of the whole data directory
 * (WAL, HAPI's tables), only the outbox's; the table's indexes stay on the data directory's disk.
 */
final class OutboxDiskFull {

    private static final String TABLESPACE = "srm_drill_outbox_disk";

    private final ServerProcess server;
    private final DrillChecks checks;
    private final Consumer<String> out;
    private final List<String> failures;

    OutboxDiskFull(ServerProcess server, DrillChecks checks, Consumer<String> out, List<String> failures) {
        this.server = server;
        this.checks = checks;
        this.out = out;
        this.failures = failures;
    }

    /** Runs the scenario with {@code load} (not yet started); returns false when it was skipped. */
    boolean run(String scenario, SyncLoad load, Duration fullFor) throws Exception {
        Path mount = server.data().resolve("outbox-disk");
        Files.createDirectories(mount);
        String refused = command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString());
        if (refused != null) {
            out.accept(scenario + ": SKIPPED, a small file system cannot be mounted here (mount -t tmpfs: " + refused + ")");
            return false;
        }
        Path filler = mount.resolve("filler");
        Connection hold = null;
        try (Connection database = DriverManager.getConnection(server.jdbcUrl(), "postgres", "");
                Statement sql = database.createStatement()) {
            try {
                checks.awaitOutboxDrained(Duration.ofSeconds(60));
                Path location = Files.createDirectories(mount.resolve("tablespace"));
                sql.execute("create tablespace " + TABLESPACE + " location '" + location + "'");
                sql.execute("alter table srm_audit_outbox set tablespace " + TABLESPACE);
                // Rewritten without the free space of its old pages: the next insert needs a new page.
                sql.execute("vacuum full srm_audit_outbox");
                long fillerBytes = fill(filler);
                hold = openHolder(server);
                int held = takeFreeSpace(hold);
                long full = System.nanoTime();
                load.start();
                Thread.sleep(fullFor.toMillis());
                int acknowledgedWhileFull = load.acknowledged();
                int readiness = server.readiness();
                long freed = System.nanoTime();
                release(hold);
                hold = null;
                Files.delete(filler);
                boolean finished = load.awaitDone();
                SyncLoad.Answers answers = load.answersBetween(full, freed);
                double recovered = load.batches().stream().mapToLong(b -> b.acknowledgedAtNanos).max().orElse(freed);
                out.accept(String.format("%s: outbox moved onto an 8 MB tmpfs filled with a %d kB file, the free space left in"
                                + " its pages taken by %d rows an open transaction held; while full (%d s):"
                                + " answers to pushes by status %s, %d batches acknowledged, readiness %d; 503 without"
                                + " Retry-After %d, bodies with SQL or internals %d; space freed: every batch acknowledged"
                                + " %.1f s later%s",
                        scenario, fillerBytes / 1024, held, (freed - full) / 1_000_000_000L, answers.statuses(), acknowledgedWhileFull,
                        readiness, answers.withoutRetryAfter(), answers.leaking(), Math.max(0, (recovered - freed) / 1e9), finished ? "" : " (NOT all done at the deadline)"));
                failures.addAll(answers.failures(scenario, "the outbox's disk was full"));
                if (!answers.statuses().containsKey(503)) {
                    // Before takeFreeSpace, one CI run in three saw every push stored on the "full" file
                    // system: the table kept a page with room. With that room held, a write that
                    // still goes through has put its audit events somewhere other than the outbox.
                    failures.add(scenario + ": no push was answered 503 while the outbox's disk was full (" + answers.statuses()
                            + ", " + held + " rows held the room left in the outbox's pages)");
                }
            } finally {
                release(hold);
                Files.deleteIfExists(filler);
                sql.execute("alter table srm_audit_outbox set tablespace pg_default");
                sql.execute("drop tablespace if exists " + TABLESPACE);
            }
        } finally {
            String left = command("umount", mount.toString());
            if (left != null) {
                out.accept(scenario + ": umount " + mount + " failed: " + left);
            }
        }
        return true;
    }

    /** Payload sizes, in 32-character blocks of random hex (which pglz cannot shrink): TOASTed, then inline, then smaller. */
    private static final int[] HELD_PAYLOAD_BLOCKS = {256, 56, 12, 3, 1};
    private static final int MOST_HELD_ROWS = 20_000;

    private static Connection openHolder(ServerProcess server) throws java.sql.SQLException {
        Connection connection = DriverManager.getConnection(server.jdbcUrl(), "postgres", "");
        connection.setAutoCommit(false);
        return connection;
    }

    /**
     * Fills whatever room is left in the outbox table's pages (and its TOAST table's) with rows that
     * an open transaction inserts and keeps uncommitted, largest first, each in a savepoint, until
     * every size is refused for want of space. Without it the scenario depended on luck: a page
     * the table kept from before the disk filled up, with room for a few events, let some pushes
     * through (seen in one CI run: the full disk refused no write). Uncommitted rows are invisible
     * to the drainer and keep their space from every other transaction; {@link #release} rolls
     * them back. Returns how many rows it holds.
     */
    private static int takeFreeSpace(Connection hold) throws java.sql.SQLException {
        int rows = 0;
        try (Statement sql = hold.createStatement()) {
            for (int blocks : HELD_PAYLOAD_BLOCKS) {
                while (rows < MOST_HELD_ROWS) {
                    java.sql.Savepoint savepoint = hold.setSavepoint();
                    try {
                        sql.executeUpdate("insert into srm_audit_outbox (payload) select string_agg(md5(random()::text), '')"
                                + " from generate_series(1, " + blocks + ")");
                        hold.releaseSavepoint(savepoint);
                        rows++;
                    } catch (java.sql.SQLException refused) {
                        hold.rollback(savepoint);
                        if (refused.getSQLState() == null || !refused.getSQLState().startsWith("53")) {
                            throw refused;
                        }
                        break;
                    }
                }
            }
        }
        return rows;
    }

    /** Rolls back and closes what {@link #takeFreeSpace} holds; null is nothing. */
    private static void release(Connection hold) throws java.sql.SQLException {
        if (hold != null && !hold.isClosed()) {
            hold.rollback();
            hold.close();
        }
    }

    /** Writes into {@code file} until its file system is full, to the last block; returns the bytes written. */
    private static long fill(Path file) throws IOException {
        long written = 0;
        for (int size : new int[] {64 * 1024, 4096, 512}) {
            byte[] chunk = new byte[size];
            try (OutputStream stream = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND)) {
                while (true) {
                    stream.write(chunk);
                    written += size;
                }
            } catch (IOException full) {
                if (!String.valueOf(full.getMessage()).contains("space")) {
                    throw full;
                }
            }
        }
        return written;
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String command(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(process.getInputStream().readAllBytes()).trim();
        return process.waitFor() == 0 ? null : "exit " + process.exitValue() + (said.isEmpty() ? "" : ", " + said);
    }
}
