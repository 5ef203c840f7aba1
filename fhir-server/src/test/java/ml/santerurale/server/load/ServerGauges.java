package ml.santerurale.server.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the server costs, read from outside it: the JVM's resident memory and CPU time
 * ({@code /proc/<pid>}), the embedded PostgreSQL's (postmaster and backends: proportional set size,
 * so shared buffers count once), the audit outbox's rows and oldest age (SQL on
 * {@code srm_audit_outbox}), and the host's 1-minute load average.
 *
 * <p>Linux only; a figure that cannot be read is -1. When the server runs in this JVM (the short
 * mode in the test suite) its memory includes the load generator's.
 */
final class ServerGauges {

    private static final double USER_HZ = 100.0;

    private final long serverPid;
    private final DataSource database;
    private final long postmasterPid;

    ServerGauges(long serverPid, DataSource database) {
        this.serverPid = serverPid;
        this.database = database;
        this.postmasterPid = postmasterPid(database);
    }

    record Sample(long nanos, double loadAverage, long jvmRssKb, long postgresPssKb, long cpuJiffiesServer,
                  long cpuJiffiesPostgres, long outboxRows, double outboxOldestSeconds) {

        double cpuSecondsServerSince(Sample earlier) {
            return (cpuJiffiesServer - earlier.cpuJiffiesServer) / USER_HZ;
        }

        double cpuSecondsPostgresSince(Sample earlier) {
            return (cpuJiffiesPostgres - earlier.cpuJiffiesPostgres) / USER_HZ;
        }
    }

    Sample sample() {
        long[] outbox = outbox();
        return new Sample(System.nanoTime(), loadAverage(), statusKb(serverPid, "VmRSS:"), postgresPssKb(),
                jiffies(serverPid), postgresJiffies(), outbox[0], outbox[1] / 1000.0);
    }

    private long[] outbox() {
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*), coalesce((extract(epoch from now() - min(created_at)) * 1000)::bigint, 0)"
                        + " from srm_audit_outbox")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        } catch (SQLException e) {
            return new long[] {-1, -1000};
        }
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

    private long postgresPssKb() {
        List<Long> pids = postgresPids();
        if (pids.isEmpty()) {
            return -1;
        }
        long sum = 0;
        for (long pid : pids) {
            sum += Math.max(0, fieldKb(Path.of("/proc/" + pid + "/smaps_rollup"), "Pss:"));
        }
        return sum;
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
