package ml.santerurale.server.drills;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import ml.santerurale.server.support.TestDirectories;
import org.junit.jupiter.api.Test;

/**
 * The fault drill's short mode (ops/drills/faults.sh runs the long one through this class with
 * {@code -Dsrm.drill.*}): a few batches per scenario against a server process of its own, killed,
 * restarted and deprived of its database. Its figures go to this class's output file.
 */
class FaultDrillTest {

    @Test
    void syncBatchesPushedThroughCrashesAndADatabaseOutageAreNeitherLostNorDoubledAndAllAuditedAndIndexed() throws Exception {
        int batches = Integer.getInteger("srm.drill.batches", 12);
        int devices = Integer.getInteger("srm.drill.devices", 4);
        Set<Integer> scenarios = Arrays.stream(System.getProperty("srm.drill.scenarios", "1,2,3,4").split(","))
                .map(String::trim).map(Integer::valueOf).collect(Collectors.toSet());
        Duration limit = Duration.parse(System.getProperty("srm.drill.scenario-limit", "PT10M"));
        Path data = TestDirectories.create("faults-drill-");

        List<String> failures = new FaultDrill(data, new FaultDrill.Settings(batches, devices, scenarios, limit), System.out::println).run();

        assertThat(failures).as("the drill's failures (its [faults] lines say more)").isEmpty();
        org.springframework.util.FileSystemUtils.deleteRecursively(data);
    }
}
