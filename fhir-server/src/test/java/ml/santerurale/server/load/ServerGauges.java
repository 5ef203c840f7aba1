package ml.santerurale.server.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What the server costs, read from outside it: the JVM's resident memory and CPU time
 * ({@code /proc/<pid>}), the embedded PostgreSQL's (postmaster and backends), the audit outbox's
 * rows, oldest age and ids (SQL on {@code srm_audit_outbox}), and the host's 1-minute load average.
 *
 * <p>PostgreSQL's memory is read per process from {@code smaps_rollup} and split by kind, because
 * its sum mixes two things that behave differently: {@code Pss_Shmem}, the shared memory segment
 * (shared buffers, locks, statistics: each page counted once over all processes, so the sum can
 * only reach the segment's size, {@code shared_memory_size}, as the buffers fill with a growing
 * database), and {@code Pss_Anon}, each process's private heap (a backend's catalogue and
 * relation caches, its prepared statements' plans; released when the process ends). The private
 * memory is further split by process kind ({@code pg_stat_activity.backend_type}): client
 * backends (the pool's connections, replaced by the pool at its {@code max-lifetime}), and the
 * server's long-lived processes (postmaster, checkpointer, writers, launchers, and the database
 * watch's connection, which nothing replaces). The drill's own connection, autovacuum and parallel
 * workers count only in the total.
 *
 * <p>Linux only; a figure that cannot be read is -1. When the server runs in this JVM (the short
 * mode in the test suite) its memory includes the load generator's.
 */
final class ServerGauges implements AutoCloseable {

    private static final double USER_HZ = 100.0;
    /** At most this many outbox ids per sample ({@link OutboxWait}). */
    static final int OUTBOX_IDS_LIMIT = 10_000;
    /** The drill's own connection's {@code application_name}, told apart from the server's. */
    static final String APPLICATION_NAME = "srm-load-drill";
    /** The {@code application_name} of the server's database watch (database.DatabaseWatch). */
    static final String WATCH_APPLICATION_NAME = "srm-database-watch";

    private final long serverPid;
    private final DataSource database;
    private final long postmasterPid;
    private final long sharedMemoryKb;
    private final boolean keepConnection;
    private Connection connection;

    /** @param keepConnection keep one connection open between samples rather than take one each time */
    ServerGauges(long serverPid, DataSource database, boolean keepConnection) {
        this.serverPid = serverPid;
        this.database = database;
        this.keepConnection = keepConnection;
        this.postmasterPid = postmasterPid(database);
        this.sharedMemoryKb = sharedMemoryKb(database);
    }

    /**
     * PostgreSQL's memory at one instant, summed over its processes (kB): all of it (PSS), the
     * shared segment's pages touched ({@code Pss_Shmem}), private memory ({@code Pss_Anon}) of
     * every process, of the long-lived server processes only, and of the largest client backend;
     * how many client backends there were and the age of the oldest (s).
     */
    record PostgresMemory(long pssKb, long sharedKb, long privateKb, long serverPrivateKb, long largestBackendPrivateKb,
                          int clientBackends, long oldestBackendSeconds) {
        static final PostgresMemory UNKNOWN = new PostgresMemory(-1, -1, -1, -1, -1, -1, -1);
    }

    record Sample(long nanos, double loadAverage, long jvmRssKb, PostgresMemory postgres, long cpuJiffiesServer,
                  long cpuJiffiesPostgres, long outboxRows, double outboxOldestSeconds) {

        long postgresPssKb() {
            return postgres.pssKb();
        }

        double cpuSecondsServerSince(Sample earlier) {
            return (cpuJiffiesServer - earlier.cpuJiffiesServer) / USER_HZ;
        }

        double cpuSecondsPostgresSince(Sample earlier) {
            return (cpuJiffiesPostgres - earlier.cpuJiffiesPostgres) / USER_HZ;
        }
    }

    /** The size of PostgreSQL's shared memory segment (kB, {@code shared_memory_size}); -1 if unknown. */
    long sharedMemoryKb() {
        return sharedMemoryKb;
    }

    synchronized Sample sample() {
        long[] outbox = {-1, -1000};
        Map<Long, Backend> backends = Map.of();
        try (Statement s = connection().createStatement()) {
            try (ResultSet rs = s.executeQuery("select count(*), coalesce((extract(epoch from now() - min(created_at)) * 1000)::bigint, 0)"
                    + " from srm_audit_outbox")) {
                rs.next();
                outbox = new long[] {rs.getLong(1), rs.getLong(2)};
            }
            backends = backends(s);
        } catch (SQLException e) {
            dropConnection();
        } finally {
            releaseConnection();
        }
        return new Sample(System.nanoTime(), loadAverage(), statusKb(serverPid, "VmRSS:"), postgresMemory(backends),
                jiffies(serverPid), postgresJiffies(), outbox[0], outbox[1] / 1000.0);
    }

    /** The ids in the audit outbox now (the first {@link #OUTBOX_IDS_LIMIT}); null when they cannot be read. */
    synchronized List<Long> outboxIds() {
        try (Statement s = connection().createStatement();
                ResultSet rs = s.executeQuery("select id from srm_audit_outbox order by id limit " + OUTBOX_IDS_LIMIT)) {
            List<Long> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
            return ids;
        } catch (SQLException e) {
            dropConnection();
            return null;
        } finally {
            releaseConnection();
        }
    }

    /**
     * The connection for the next queries: kept open between samples when asked (a plain data
     * source would fork a backend for each), else taken from the pool and given back after them.
     */
    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = database.getConnection();
            connection.setAutoCommit(true);
        }
        return connection;
    }

    private void releaseConnection() {
        if (!keepConnection) {
            dropConnection();
        }
    }

    private void dropConnection() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // reopened at the next query
        }
        connection = null;
    }

    /** Gives back the connection. */
    @Override
    public synchronized void close() {
        dropConnection();
    }

    private record Backend(String type, long ageSeconds) {}

    /**
     * Each process's kind. Two connections are not the pool's: the drill's own
     * ({@link #APPLICATION_NAME}), and the server's database watch's, which it keeps for its whole
     * life ({@link #WATCH_APPLICATION_NAME}) and so counts with the long-lived processes.
     */
    private static Map<Long, Backend> backends(Statement s) throws SQLException {
        Map<Long, Backend> backends = new HashMap<>();
        try (ResultSet rs = s.executeQuery("select pid, case application_name when '" + APPLICATION_NAME + "' then 'drill'"
                + " when '" + WATCH_APPLICATION_NAME + "' then 'database watch' else backend_type end,"
                + " coalesce(extract(epoch from now() - backend_start)::bigint, 0) from pg_stat_activity")) {
            while (rs.next()) {
                backends.put(rs.getLong(1), new Backend(String.valueOf(rs.getString(2)), rs.getLong(3)));
            }
        }
        return backends;
    }

    private List<Long> postgresPids() {
        if (postmasterPid <= 0) {
            return List.of();
        }
        return ProcessHandle.of(postmasterPid)
                .map(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(postmasterPid),
                        h.descendants().map(ProcessHandle::pid)).toList())
                .orElse(List.of());
    }

    private PostgresMemory postgresMemory(Map<Long, Backend> backends) {
        List<Long> pids = postgresPids();
        if (pids.isEmpty()) {
            return PostgresMemory.UNKNOWN;
        }
        long pss = 0, shared = 0, privateKb = 0, serverPrivate = 0, largestBackend = 0, oldest = 0;
        int clients = 0;
        for (long pid : pids) {
            Map<String, Long> kb = fieldsKb(Path.of("/proc/" + pid + "/smaps_rollup"));
            long anon = kb.getOrDefault("Pss_Anon:", 0L);
            pss += kb.getOrDefault("Pss:", 0L);
            shared += kb.getOrDefault("Pss_Shmem:", 0L);
            privateKb += anon;
            Backend backend = backends.get(pid);
            String type = pid == postmasterPid ? "postmaster" : backend == null ? "unknown" : backend.type();
            if (type.equals("client backend")) {
                clients++;
                largestBackend = Math.max(largestBackend, anon);
                oldest = Math.max(oldest, backend.ageSeconds());
            } else if (isLongLived(type)) {
                serverPrivate += anon;
            }
        }
        if (backends.isEmpty()) {
            // pg_stat_activity unread: which process is which is unknown for this sample
            return new PostgresMemory(pss, shared, privateKb, -1, -1, -1, -1);
        }
        return new PostgresMemory(pss, shared, privateKb, serverPrivate, largestBackend, clients, oldest);
    }

    /** The server's own processes that live as long as it does; workers and unknown pids come and go. */
    static boolean isLongLived(String backendType) {
        return switch (backendType) {
            case "postmaster", "checkpointer", "background writer", "walwriter", "autovacuum launcher",
                    "logical replication launcher", "archiver", "database watch" -> true;
            default -> false;
        };
    }

    private long postgresJiffies() {
        // Exited backends' time is in the postmaster's reaped-children counters.
        long sum = jiffiesWithReaped(postmasterPid);
        for (long pid : postgresPids()) {
            if (pid != postmasterPid) {
                sum += jiffies(pid);
            }
        }
        return sum;
    }

    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long statusKb(long pid, String field) {
        return fieldKb(Path.of("/proc/" + pid + "/status"), field);
    }

    private static Map<String, Long> fieldsKb(Path file) {
        Map<String, Long> kb = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].endsWith(":") && f[1].chars().allMatch(Character::isDigit)) {
                    kb.put(f[0], Long.parseLong(f[1]));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return kb;
    }

    private static long sharedMemoryKb(DataSource database) {
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select pg_size_bytes(current_setting('shared_memory_size')) / 1024")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static long fieldKb(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long jiffies(long pid) {
        long[] f = stat(pid);
        return f == null ? 0 : f[0] + f[1];
    }

    private static long jiffiesWithReaped(long pid) {
        long[] f = stat(pid);
        return f == null ? 0 : f[0] + f[1] + f[2] + f[3];
    }

    /** utime, stime, cutime, cstime. */
    private static long[] stat(long pid) {
        if (pid <= 0) {
            return null;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long postmasterPid(DataSource database) {
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show data_directory")) {
            rs.next();
            return Long.parseLong(Files.readAllLines(Path.of(rs.getString(1), "postmaster.pid")).get(0).trim());
        } catch (SQLException | IOException | RuntimeException e) {
            return -1;
        }
    }
}
