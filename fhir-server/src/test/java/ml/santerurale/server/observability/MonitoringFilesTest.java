package ml.santerurale.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Prometheus alert rules and the Grafana dashboard under ops/ parse, and every metric they
 * name is one this server exports (its /actuator/prometheus, scraped here), so a renamed metric
 * cannot leave an alert silently empty. Prometheus' own {@code up} is the one exception.
 */
class MonitoringFilesTest extends ServerIntegrationTest {

    private static final Set<String> PROMQL_WORDS = Set.of("sum", "avg", "min", "max", "count", "rate", "irate",
            "increase", "histogram_quantile", "clamp_min", "clamp_max", "by", "without", "on", "ignoring", "and", "or",
            "unless", "bool", "offset", "group_left", "group_right", "abs", "delta", "deriv", "time", "vector", "topk");
    private static final Set<String> FROM_PROMETHEUS = Set.of("up");

    private static Path ops() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("ops")) ? here.resolve("ops") : here.getParent().resolve("ops");
    }

    @Test
    void alertRulesParseAndNameOnlyExportedMetrics() throws IOException {
        Map<String, Object> file = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(ops().resolve("prometheus/alerts.yml")));
        Map<String, String> expressions = new LinkedHashMap<>();
        for (Object group : (List<?>) file.get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                Map<?, ?> alert = (Map<?, ?>) rule;
                String name = String.valueOf(alert.get("alert"));
                assertThat(alert.get("expr")).as("expr of %s", name).isInstanceOf(String.class);
                assertThat(String.valueOf(((Map<?, ?>) alert.get("labels")).get("severity"))).as("severity of %s", name)
                        .isIn("critical", "warning");
                assertThat(((Map<?, ?>) alert.get("annotations")).get("summary")).as("summary of %s", name).isNotNull();
                expressions.put(name, (String) alert.get("expr"));
            }
        }
        assertThat(expressions).containsKeys("SyncBatchesFailing", "SyncConflictsHigh", "AuditOutboxBehind",
                "FhirLatencyP95High", "DatabasePoolSaturated", "JvmHeapHigh", "BackupTooOld", "WalArchivingFailing");
        assertOnlyExportedMetrics(expressions);
    }

    @Test
    void dashboardParsesAndNamesOnlyExportedMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(ops().resolve("grafana/sante-rurale-fhir.json")));
        assertThat(dashboard.get("uid").asText()).isNotBlank();
        Map<String, String> expressions = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                expressions.put(panel.get("title").asText() + " / " + target.get("refId").asText(), target.get("expr").asText());
            }
        }
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(8);
        assertThat(String.join(" ", expressions.values())).as("the backup panel").contains("srm_backup_age_seconds",
                "srm_backup_wal_failed_total");
        assertOnlyExportedMetrics(expressions);
    }

    @Test
    void theMetricNameReaderFindsMetricsNotFunctionsOrLabels() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (le, interaction) (rate(fhir_interaction_seconds_bucket"
                + "{outcome=\"2xx\"}[5m]))) > 2 and max(hikaricp_connections_pending{pool=\"fhir\"}) > 0"))
                .containsExactly("fhir_interaction_seconds_bucket", "hikaricp_connections_pending");
    }

    private void assertOnlyExportedMetrics(Map<String, String> expressions) {
        get("/metadata"); // at least one FHIR interaction timed
        Set<String> exported = exportedSeries();
        assertThat(exported).as("what /actuator/prometheus exports").contains("srm_sync_batches_total",
                "srm_rate_limited_total", "srm_backup_age_seconds", "srm_backup_last_size_bytes",
                "srm_backup_last_duration_seconds", "srm_backup_wal_failed_total", "srm_backup_wal_failing");
        List<String> unknown = new ArrayList<>();
        expressions.forEach((where, expression) -> {
            Set<String> names = metricNames(expression);
            assertThat(names).as("metrics in %s: %s", where, expression).isNotEmpty();
            for (String name : names) {
                if (!exported.contains(name) && !FROM_PROMETHEUS.contains(name)) {
                    unknown.add(where + ": " + name);
                }
            }
        });
        assertThat(unknown).as("metrics named in ops/ that the server does not export").isEmpty();
    }

    private Set<String> exportedSeries() {
        String scrape = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/prometheus")).GET()).body();
        Set<String> names = new LinkedHashSet<>();
        for (String line : scrape.split("\n")) {
            Matcher name = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(line);
            if (!line.startsWith("#") && name.find()) {
                names.add(name.group(1));
            }
        }
        return names;
    }

    /** Metric names in a PromQL expression: identifiers outside label matchers, not functions, keywords or grouping labels. */
    static Set<String> metricNames(String expression) {
        String bare = expression.replaceAll("\"[^\"]*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher identifier = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(bare);
        while (identifier.find()) {
            if (identifier.group(2) == null && !PROMQL_WORDS.contains(identifier.group(1))) {
                names.add(identifier.group(1));
            }
        }
        return names;
    }
}
