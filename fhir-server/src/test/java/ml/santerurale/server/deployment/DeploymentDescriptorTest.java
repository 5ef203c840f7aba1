package ml.santerurale.server.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Keeps the production deployment description (docker-compose.yml at the repository root and
 * fhir-server/Dockerfile) consistent with what the server really reads (application.yml) and with
 * what Maven really builds (fhir-server/pom.xml). No Docker engine is needed: the files are parsed.
 */
class DeploymentDescriptorTest {

    private static final String FHIR = "fhir";
    private static final String DB = "db";
    private static final int POSTGRES_DEFAULT_PORT = 5432;
    private static final Pattern SPRING_PLACEHOLDER = Pattern.compile("\\$\\{([^:}\\s$]+)");
    private static final Pattern COMPOSE_DEFAULT = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)}");

    private static Path composeFile;
    private static Path dockerfile;
    private static Path modulePom;
    private static Map<String, Object> compose;
    private static Map<String, Object> app;
    private static List<Instruction> instructions;

    @BeforeAll
    static void load() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Path moduleDir;
        if (Files.isRegularFile(cwd.resolve("../docker-compose.yml"))) {
            moduleDir = cwd; // surefire runs in fhir-server/
            composeFile = cwd.resolve("../docker-compose.yml").normalize();
        } else if (Files.isRegularFile(cwd.resolve("docker-compose.yml"))) {
            moduleDir = cwd.resolve("fhir-server"); // run from the repository root
            composeFile = cwd.resolve("docker-compose.yml");
        } else {
            throw new AssertionError("docker-compose.yml not found in " + cwd.getParent() + " nor in " + cwd);
        }
        dockerfile = moduleDir.resolve("Dockerfile");
        modulePom = moduleDir.resolve("pom.xml");
        assertThat(dockerfile).as("the fhir-server Dockerfile").isRegularFile();
        assertThat(modulePom).as("the fhir-server pom.xml").isRegularFile();

        compose = asMap(yaml().load(Files.readString(composeFile)), composeFile.toString());
        app = new LinkedHashMap<>();
        try (InputStream in = mainApplicationYml().openStream()) {
            for (Object document : yaml().loadAll(new String(in.readAllBytes(), StandardCharsets.UTF_8))) {
                flatten("", document, app);
            }
        }
        instructions = parseDockerfile(dockerfile);
    }

    // ---------------------------------------------------------------- compose services

    @Test
    void composeDefinesTheServerAndItsPostgres16() {
        assertThat(services()).as("services in %s", composeFile).containsKeys(FHIR, DB);
        assertThat(String.valueOf(service(DB).get("image")))
                .as("image of compose service '%s' (the server needs PostgreSQL 16)", DB)
                .startsWith("postgres:16");
    }

    @Test
    void composeSetsOnlyVariablesTheServerReads() {
        assertThat(unreadVariables(environment(service(FHIR)).keySet()))
                .as("variables set on compose service '%s' that application.yml neither reads as a ${NAME} "
                        + "placeholder nor binds (relaxed binding) to one of its properties; a typo? %s",
                        FHIR, composeFile)
                .isEmpty();
    }

    @Test
    void composeRunsTheServerOnTheExternalDatabase() {
        assertThat(composeValue(FHIR, "SRM_DATABASE_MODE"))
                .as("SRM_DATABASE_MODE of compose service '%s' (otherwise the server starts its embedded PostgreSQL)", FHIR)
                .isEqualToIgnoringCase("external");
    }

    @Test
    void jdbcUrlPointsAtTheDbService() {
        String url = composeValue(FHIR, "SPRING_DATASOURCE_URL");
        assertThat(url).as("SPRING_DATASOURCE_URL of compose service '%s'", FHIR).startsWith("jdbc:postgresql://");
        URI uri = URI.create(url.substring("jdbc:".length()));
        assertThat(uri.getHost()).as("host of %s", url).isEqualTo(DB);
        int port = uri.getPort() == -1 ? POSTGRES_DEFAULT_PORT : uri.getPort();
        assertThat(port).as("port of %s (PostgreSQL listens on %d inside its container)", url, POSTGRES_DEFAULT_PORT)
                .isEqualTo(POSTGRES_DEFAULT_PORT);
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        assertThat(database).as("database of %s vs POSTGRES_DB of compose service '%s'", url, DB)
                .isEqualTo(composeValue(DB, "POSTGRES_DB"));
    }

    @Test
    void datasourceUserIsTheDatabaseOwner() {
        assertThat(composeValue(FHIR, "SPRING_DATASOURCE_USERNAME"))
                .as("SPRING_DATASOURCE_USERNAME of '%s' vs POSTGRES_USER of '%s'", FHIR, DB)
                .isEqualTo(composeValue(DB, "POSTGRES_USER"));
    }

    @Test
    void datasourcePasswordIsTheDatabasePasswordAndNotWrittenInTheFile() {
        String serverSide = environment(service(FHIR)).get("SPRING_DATASOURCE_PASSWORD");
        String databaseSide = environment(service(DB)).get("POSTGRES_PASSWORD");
        assertThat(serverSide).as("SPRING_DATASOURCE_PASSWORD of '%s' vs POSTGRES_PASSWORD of '%s'", FHIR, DB)
                .isEqualTo(databaseSide);
        assertThat(serverSide).as("the database password must come from the host environment, not the file")
                .startsWith("${");
    }

    @Test
    void fhirWaitsForAHealthyDatabase() {
        Object dependsOn = service(FHIR).get("depends_on");
        assertThat(dependsOn).as("depends_on of '%s' (long form, to wait for health)", FHIR).isInstanceOf(Map.class);
        Object condition = asMap(((Map<?, ?>) dependsOn).get(DB), "depends_on." + DB).get("condition");
        assertThat(condition).as("depends_on.%s.condition of '%s'", DB, FHIR).isEqualTo("service_healthy");
        assertThat(healthcheckCommand(DB)).as("healthcheck of '%s'", DB).contains("pg_isready");
    }

    @Test
    void composePublishesThePortTheServerListensOn() {
        assertThat(containerPorts(service(FHIR)))
                .as("container ports published by compose service '%s' (server.port = %s)", FHIR, app.get("server.port"))
                .contains(appPort());
    }

    @Test
    void composeHealthcheckAsksTheReadinessProbe() {
        assertThat(app.get("management.endpoint.health.probes.enabled"))
                .as("management.endpoint.health.probes.enabled in application.yml (else /health/readiness is 404)")
                .isEqualTo(Boolean.TRUE);
        Object managementPort = app.get("management.server.port");
        int port = managementPort == null ? appPort() : Integer.parseInt(String.valueOf(managementPort));
        Object basePath = app.getOrDefault("management.endpoints.web.base-path", "/actuator");
        assertThat(healthcheckCommand(FHIR)).as("healthcheck of compose service '%s'", FHIR)
                .contains("http://localhost:" + port + basePath + "/health/readiness");
    }

    @Test
    void dataDirectoryIsPersistedInANamedVolume() {
        String dataDirectory = composeValue(FHIR, "SRM_DATA_DIR");
        assertThat(dataDirectory).as("SRM_DATA_DIR of '%s' (the Lucene index lives under it)", FHIR).isNotBlank();
        assertThat(namedVolumeTargets(service(FHIR)))
                .as("targets of named volumes mounted on '%s'", FHIR).contains(dataDirectory);
    }

    @Test
    void databaseFilesArePersistedInANamedVolume() {
        assertThat(namedVolumeTargets(service(DB)))
                .as("targets of named volumes mounted on '%s'", DB).contains("/var/lib/postgresql/data");
    }

    @Test
    void stopGracePeriodOutlastsGracefulShutdown() {
        Duration shutdownPhase = parseDuration(String.valueOf(
                app.getOrDefault("spring.lifecycle.timeout-per-shutdown-phase", "30s")));
        Duration gracePeriod = parseDuration(String.valueOf(service(FHIR).getOrDefault("stop_grace_period", "10s")));
        assertThat(gracePeriod)
                .as("stop_grace_period of '%s' must exceed spring.lifecycle.timeout-per-shutdown-phase (%s), "
                        + "or Docker kills the server mid-shutdown", FHIR, shutdownPhase)
                .isGreaterThan(shutdownPhase);
    }

    // ---------------------------------------------------------------- Dockerfile

    @Test
    void dockerfileExposesThePortTheServerListensOn() {
        Set<Integer> exposed = new LinkedHashSet<>();
        for (Instruction expose : instructions("EXPOSE")) {
            for (String token : expose.tokens()) {
                exposed.add(Integer.parseInt(token.replaceFirst("/(tcp|udp)$", "")));
            }
        }
        assertThat(exposed).as("EXPOSEd ports in %s", dockerfile).contains(appPort());
    }

    @Test
    void dockerfileCopiesTheJarMavenBuilds() {
        String jar = "target/" + builtJarName();
        assertThat(jarCopy()).as("a COPY in %s whose source matches %s (the jar fhir-server/pom.xml builds)",
                dockerfile, jar).isNotNull();
    }

    @Test
    void dockerfileRunsTheJarItCopies() {
        Instruction copy = jarCopy();
        assertThat(copy).as("COPY of the built jar in %s", dockerfile).isNotNull();
        List<String> copyArgs = copy.tokens();
        String destination = copyArgs.get(copyArgs.size() - 1);
        if (destination.endsWith("/")) {
            destination = destination + builtJarName();
        }
        List<Instruction> entrypoints = instructions("ENTRYPOINT");
        assertThat(entrypoints).as("ENTRYPOINT in %s", dockerfile).isNotEmpty();
        List<String> command = entrypoints.get(entrypoints.size() - 1).tokens();
        int jarFlag = command.indexOf("-jar");
        assertThat(jarFlag).as("'-jar' in ENTRYPOINT %s", command).isNotNegative();
        assertThat(command.size()).as("a jar path after '-jar' in ENTRYPOINT %s", command).isGreaterThan(jarFlag + 1);
        assertThat(command.get(jarFlag + 1)).as("jar run by ENTRYPOINT vs where COPY put it").isEqualTo(destination);
    }

    @Test
    void imageDefaultsToTheExternalDatabase() {
        assertThat(dockerfileEnvironment().get("SRM_DATABASE_MODE"))
                .as("ENV SRM_DATABASE_MODE in %s", dockerfile).isEqualToIgnoringCase("external");
    }

    @Test
    void imageSetsOnlyVariablesTheServerReads() {
        assertThat(unreadVariables(dockerfileEnvironment().keySet()))
                .as("ENV variables in %s that application.yml does not read", dockerfile).isEmpty();
    }

    @Test
    void imageDeclaresItsDataDirectoryAsVolume() {
        String dataDirectory = dockerfileEnvironment().get("SRM_DATA_DIR");
        assertThat(dataDirectory).as("ENV SRM_DATA_DIR in %s", dockerfile).isNotBlank();
        Set<String> volumes = instructions("VOLUME").stream()
                .flatMap(volume -> volume.tokens().stream()).collect(Collectors.toSet());
        assertThat(volumes).as("VOLUMEs in %s", dockerfile).contains(dataDirectory);
    }

    // ---------------------------------------------------------------- production services

    private static final String PROXY = "proxy";
    private static final String KEYCLOAK = "keycloak";
    private static final Pattern SECRET_NAME = Pattern.compile("PASSWORD|SECRET|_AUTH$|TOKEN|PRIVATE|_KEY$");
    /** {@code ${NAME}} or {@code ${NAME:?message}}: from the environment, no default. */
    private static final Pattern FROM_ENVIRONMENT_ONLY = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:?\\?[^}]*)?}");

    @Test
    void composeRunsTheWholeSystem() {
        assertThat(services()).as("services in %s: proxy (TLS), server (and the app), Keycloak, databases", composeFile)
                .containsKeys(PROXY, FHIR, DB, KEYCLOAK, "keycloak-db");
        assertThat(String.valueOf(service("keycloak-db").get("image"))).startsWith("postgres:16");
        Path keycloakDockerfile = composeFile.getParent().resolve(String.valueOf(
                asMap(service(KEYCLOAK).get("build"), "keycloak.build").get("context"))).resolve("Dockerfile").normalize();
        assertThat(keycloakDockerfile).as("Keycloak's image recipe").isRegularFile();
        assertThat(readString(keycloakDockerfile)).as("%s builds on Keycloak 26", keycloakDockerfile)
                .contains("FROM quay.io/keycloak/keycloak:26.").contains("COPY target/keycloak-smart.jar");
        assertThat(String.valueOf(service(KEYCLOAK).get("command"))).contains("--import-realm");
    }

    @Test
    void everySecretComesFromTheEnvironmentWithoutDefault() {
        List<String> checked = new ArrayList<>();
        services().forEach((name, definition) -> environment(asMap(definition, name)).forEach((variable, value) -> {
            if (SECRET_NAME.matcher(variable).find()) {
                checked.add(name + "." + variable);
                assertThat(value).as("secret %s of compose service '%s': ${VAR} or ${VAR:?message}, never a value"
                        + " or a default", variable, name).matches(FROM_ENVIRONMENT_ONLY);
            }
        }));
        assertThat(checked).as("secrets found in %s", composeFile).contains("fhir.SPRING_DATASOURCE_PASSWORD",
                "db.POSTGRES_PASSWORD", "keycloak.KC_DB_PASSWORD", "keycloak.KC_BOOTSTRAP_ADMIN_PASSWORD",
                "keycloak.SRM_DHIS2_CLIENT_SECRET", "fhir.SRM_DHIS2_AUTH");
        for (String required : List.of("POSTGRES_PASSWORD", "KEYCLOAK_DB_PASSWORD", "KC_BOOTSTRAP_ADMIN_PASSWORD",
                "SRM_DHIS2_CLIENT_SECRET")) {
            assertThat(readString(composeFile)).as("compose refuses to start without %s", required)
                    .contains("${" + required + ":?");
        }
    }

    @Test
    void onlyTheProxyIsPublished() {
        services().forEach((name, definition) -> {
            Object ports = asMap(definition, name).get("ports");
            if (ports instanceof List<?> list && !name.equals(PROXY)) {
                for (Object port : list) {
                    assertThat(String.valueOf(port)).as("published port of '%s' (only the proxy faces the network)", name)
                            .startsWith("127.0.0.1:");
                }
            }
        });
        assertThat(containerPorts(service(PROXY))).contains(443, 80);
    }

    @Test
    void theServerTrustsForwardedHeadersFromTheProxyAlone() {
        String proxyAddress = String.valueOf(asMap(asMap(service(PROXY).get("networks"), "proxy.networks").get("sante"),
                "proxy.networks.sante").get("ipv4_address"));
        String trusted = composeValue(FHIR, "SRM_TRUSTED_PROXIES");
        assertThat(proxyAddress).as("the proxy's address vs SRM_TRUSTED_PROXIES %s", trusted).matches(trusted);
        assertThat("172.28.0.11").as("another container's address").doesNotMatch(trusted);
        assertThat(composeValue(FHIR, "SRM_TRUST_FORWARDED_HEADERS")).isEqualTo("true");
        assertThat(composeValue(KEYCLOAK, "KC_PROXY_TRUSTED_ADDRESSES")).as("Keycloak too trusts the proxy alone")
                .isEqualTo(proxyAddress);
        assertThat(String.valueOf(service(PROXY).get("volumes"))).contains("./ops/nginx/nginx.conf:/etc/nginx/nginx.conf");
    }

    @Test
    void dhis2IsConfiguredFromTheEnvironmentWithTheServersDefaults() {
        Map<String, String> environment = environment(service(FHIR));
        assertThat(environment.get("SRM_DHIS2_BASE_URL")).as("no default: export off until set").isEqualTo("${SRM_DHIS2_BASE_URL}");
        assertThat(environment.get("SRM_DHIS2_AUTH")).isEqualTo("${SRM_DHIS2_AUTH}");
        for (String variable : List.of("SRM_DHIS2_DATASET_RMA", "SRM_DHIS2_DATASET_WEEKLY", "SRM_DHIS2_MONTHLY_CRON",
                "SRM_DHIS2_WEEKLY_CRON")) {
            assertThat(environment.get(variable)).as(variable).startsWith("${" + variable + ":-");
            assertThat(composeValue(FHIR, variable)).as("compose default of %s vs application.yml", variable)
                    .isEqualTo(applicationDefault(variable));
        }
    }

    @Test
    void keycloakImportsTheProductionRealmWithoutUsersOrSampleClients() throws IOException {
        List<String> imports = new ArrayList<>();
        for (Object mount : (List<?>) service(KEYCLOAK).get("volumes")) {
            String[] parts = String.valueOf(mount).split(":");
            if (parts.length > 1 && parts[1].startsWith("/opt/keycloak/data/import")) {
                imports.add(parts[0]);
            }
        }
        assertThat(imports).as("files mounted into Keycloak's import directory").hasSize(1);
        Path realmFile = composeFile.getParent().resolve(imports.get(0)).normalize();
        assertThat(realmFile.getFileName().toString()).doesNotContain("users");
        com.fasterxml.jackson.databind.JsonNode realm = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Files.readString(realmFile));
        assertThat(realm.has("users")).as("%s carries users", realmFile).isFalse();
        assertThat(Files.readString(realmFile)).as("demo password in %s", realmFile).doesNotContain("Demo-2026");
        List<String> clients = new ArrayList<>();
        realm.get("clients").forEach(client -> clients.add(client.get("clientId").asText()));
        assertThat(clients).contains("pwa", "dhis2-export").doesNotContain("smart-demo-app", "smart-demo-backend");
        realm.get("clients").forEach(client -> {
            if (client.get("clientId").asText().equals("pwa")) {
                assertThat(client.get("redirectUris").toString()).isEqualTo("[\"${SRM_PUBLIC_ORIGIN}/*\"]");
                assertThat(client.get("webOrigins").toString()).isEqualTo("[\"${SRM_PUBLIC_ORIGIN}\"]");
            }
        });
        // Every placeholder the import replaces is given to Keycloak.
        Matcher placeholder = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(Files.readString(realmFile));
        Set<String> keycloakEnvironment = environment(service(KEYCLOAK)).keySet();
        while (placeholder.find()) {
            assertThat(keycloakEnvironment).as("${%s} in %s", placeholder.group(1), realmFile).contains(placeholder.group(1));
        }
    }

    @Test
    void theProductionRealmIsTheDevelopmentRealmButForTheAppsOriginAndTheSamples() throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        Path realms = composeFile.getParent().resolve("keycloak-realm");
        com.fasterxml.jackson.databind.node.ObjectNode development = (com.fasterxml.jackson.databind.node.ObjectNode)
                mapper.readTree(Files.readString(realms.resolve("sante-mali-realm.json")));
        com.fasterxml.jackson.databind.node.ObjectNode production = (com.fasterxml.jackson.databind.node.ObjectNode)
                mapper.readTree(Files.readString(realms.resolve("production/sante-mali-realm.json")));
        assertThat((com.fasterxml.jackson.databind.JsonNode) production.deepCopy().without("clients"))
                .as("keycloak-realm/production/ is written by generate-realm.mjs: run it after editing the generator")
                .isEqualTo((com.fasterxml.jackson.databind.JsonNode) development.deepCopy().without("clients"));
        Map<String, com.fasterxml.jackson.databind.JsonNode> developmentClients = new LinkedHashMap<>();
        development.get("clients").forEach(client -> developmentClients.put(client.get("clientId").asText(), client));
        production.get("clients").forEach(client -> {
            String id = client.get("clientId").asText();
            if (id.equals("dhis2-export")) {
                assertThat(client.get("secret").asText()).as("no development default").isEqualTo("${SRM_DHIS2_CLIENT_SECRET}");
                assertThat((com.fasterxml.jackson.databind.JsonNode) ((com.fasterxml.jackson.databind.node.ObjectNode) client.deepCopy()).without("secret"))
                        .isEqualTo(((com.fasterxml.jackson.databind.node.ObjectNode) developmentClients.get(id).deepCopy()).without("secret"));
            } else if (!id.equals("pwa")) {
                assertThat((com.fasterxml.jackson.databind.JsonNode) client).as("client %s, production vs development", id).isEqualTo(developmentClients.get(id));
            }
        });
    }

    private static String applicationDefault(String variable) {
        for (Object value : app.values()) {
            Matcher placeholder = Pattern.compile("\\$\\{" + variable + ":([^}]*)}").matcher(String.valueOf(value));
            if (placeholder.find()) {
                return placeholder.group(1);
            }
        }
        throw new AssertionError(variable + " is not read by application.yml");
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- application.yml

    /** Names in {@code variables} that are neither a placeholder nor a relaxed-binding name of a property. */
    private static Set<String> unreadVariables(Set<String> variables) {
        Set<String> placeholders = new LinkedHashSet<>();
        Set<String> properties = new LinkedHashSet<>();
        for (Map.Entry<String, Object> property : app.entrySet()) {
            properties.add(canonical(property.getKey()));
            if (property.getValue() instanceof String value) {
                Matcher placeholder = SPRING_PLACEHOLDER.matcher(value);
                while (placeholder.find()) {
                    placeholders.add(placeholder.group(1));
                }
            }
        }
        return variables.stream()
                .filter(name -> !placeholders.contains(name) && !properties.contains(canonical(name)))
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** SRM_FHIR_SERVER_ADDRESS and srm.fhir.server-address both become srmfhirserveraddress. */
    private static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /** The port the server listens on in the container: server.port, resolved against the compose environment. */
    private static int appPort() {
        Map<String, String> environment = environment(service(FHIR));
        if (environment.containsKey("SERVER_PORT")) {
            return Integer.parseInt(withComposeDefaults(environment.get("SERVER_PORT")));
        }
        String value = String.valueOf(app.getOrDefault("server.port", "8080"));
        Matcher placeholder = Pattern.compile("\\$\\{([^:}]+)(?::(\\d+))?}").matcher(value);
        if (placeholder.matches()) {
            if (environment.containsKey(placeholder.group(1))) {
                return Integer.parseInt(withComposeDefaults(environment.get(placeholder.group(1))));
            }
            assertThat(placeholder.group(2)).as("default of server.port = %s", value).isNotNull();
            return Integer.parseInt(placeholder.group(2));
        }
        return Integer.parseInt(value);
    }

    /** The main application.yml, even if a test one is ever added ahead of it on the classpath. */
    private static URL mainApplicationYml() throws IOException {
        List<URL> found = Collections.list(DeploymentDescriptorTest.class.getClassLoader().getResources("application.yml"));
        assertThat(found).as("application.yml on the classpath").isNotEmpty();
        return found.stream().filter(url -> !url.toString().contains("test-classes")).findFirst().orElse(found.get(0));
    }

    private static void flatten(String prefix, Object node, Map<String, Object> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> flatten(prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key, value, out));
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), out);
            }
        } else if (node != null || !prefix.isEmpty()) {
            out.put(prefix, node);
        }
    }

    // ---------------------------------------------------------------- compose helpers

    private static Map<String, Object> services() {
        return asMap(compose.get("services"), "services");
    }

    private static Map<String, Object> service(String name) {
        Object service = services().get(name);
        if (service == null) {
            fail("compose service '%s' missing from %s (services: %s)", name, composeFile, services().keySet());
        }
        return asMap(service, "services." + name);
    }

    /** The environment of a service, in either map or KEY=VALUE list form; values not interpolated. */
    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> environment = new LinkedHashMap<>();
        Object declared = service.get("environment");
        if (declared instanceof Map<?, ?> map) {
            map.forEach((key, value) -> environment.put(String.valueOf(key), value == null ? null : String.valueOf(value)));
        } else if (declared instanceof List<?> list) {
            for (Object entry : list) {
                String[] pair = String.valueOf(entry).split("=", 2);
                environment.put(pair[0], pair.length > 1 ? pair[1] : null);
            }
        }
        return environment;
    }

    /** A variable of a compose service, with compose's ${VAR:-default} resolved to its default. */
    private static String composeValue(String serviceName, String variable) {
        Map<String, String> environment = environment(service(serviceName));
        assertThat(environment).as("environment of compose service '%s'", serviceName).containsKey(variable);
        return withComposeDefaults(environment.get(variable));
    }

    private static String withComposeDefaults(String value) {
        if (value == null) {
            return null;
        }
        return COMPOSE_DEFAULT.matcher(value).replaceAll(match -> Matcher.quoteReplacement(match.group(2)))
                .replace("$$", "$");
    }

    private static String healthcheckCommand(String serviceName) {
        Object healthcheck = service(serviceName).get("healthcheck");
        assertThat(healthcheck).as("healthcheck of compose service '%s'", serviceName).isNotNull();
        Object test = asMap(healthcheck, serviceName + ".healthcheck").get("test");
        return test instanceof List<?> list
                ? list.stream().map(String::valueOf).collect(Collectors.joining(" "))
                : String.valueOf(test);
    }

    private static Set<Integer> containerPorts(Map<String, Object> service) {
        Set<Integer> ports = new LinkedHashSet<>();
        Object declared = service.get("ports");
        if (declared instanceof List<?> list) {
            for (Object entry : list) {
                String port = entry instanceof Map<?, ?> map
                        ? String.valueOf(map.get("target"))
                        : String.valueOf(entry).replaceFirst("/(tcp|udp)$", "").replaceFirst("^.*:", "");
                ports.add(Integer.parseInt(port));
            }
        }
        return ports;
    }

    /** Container paths of the service's mounts whose source is a top-level named volume. */
    private static Set<String> namedVolumeTargets(Map<String, Object> service) {
        Object declaredVolumes = compose.get("volumes");
        Set<String> named = declaredVolumes instanceof Map<?, ?> map
                ? map.keySet().stream().map(String::valueOf).collect(Collectors.toSet())
                : Set.of();
        Set<String> targets = new LinkedHashSet<>();
        Object mounts = service.get("volumes");
        if (mounts instanceof List<?> list) {
            for (Object mount : list) {
                String source;
                String target;
                if (mount instanceof Map<?, ?> map) {
                    source = String.valueOf(map.get("source"));
                    target = String.valueOf(map.get("target"));
                } else {
                    String[] parts = String.valueOf(mount).split(":");
                    source = parts.length > 1 ? parts[0] : null;
                    target = parts.length > 1 ? parts[1] : parts[0];
                }
                if (named.contains(source)) {
                    targets.add(target);
                }
            }
        }
        return targets;
    }

    // ---------------------------------------------------------------- Dockerfile helpers

    /** One Dockerfile instruction, continuation lines joined, comments dropped. */
    record Instruction(String keyword, String arguments) {

        /** JSON-array form or whitespace-separated words, quotes removed. */
        List<String> tokens() {
            List<String> tokens = new ArrayList<>();
            String text = arguments.trim();
            if (text.startsWith("[")) {
                Matcher quoted = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
                while (quoted.find()) {
                    tokens.add(quoted.group(1));
                }
                return tokens;
            }
            Matcher word = Pattern.compile("(?:[^\\s\"']+|\"[^\"]*\"|'[^']*')+").matcher(text);
            while (word.find()) {
                tokens.add(word.group().replaceAll("[\"']", ""));
            }
            return tokens;
        }
    }

    private static List<Instruction> parseDockerfile(Path file) throws IOException {
        List<Instruction> parsed = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String[] split = current.toString().trim().split("\\s+", 2);
            parsed.add(new Instruction(split[0].toUpperCase(Locale.ROOT), split.length > 1 ? split[1] : ""));
            current.setLength(0);
        }
        return parsed;
    }

    private static List<Instruction> instructions(String keyword) {
        return instructions.stream().filter(instruction -> instruction.keyword().equals(keyword)).toList();
    }

    private static Map<String, String> dockerfileEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        for (Instruction env : instructions("ENV")) {
            List<String> tokens = env.tokens();
            if (!tokens.isEmpty() && tokens.get(0).contains("=")) {
                for (String token : tokens) {
                    String[] pair = token.split("=", 2);
                    environment.put(pair[0], pair.length > 1 ? pair[1] : "");
                }
            } else if (!tokens.isEmpty()) { // legacy "ENV NAME value with spaces"
                environment.put(tokens.get(0), String.join(" ", tokens.subList(1, tokens.size())));
            }
        }
        return environment;
    }

    /** The COPY/ADD from the build context whose source glob matches target/&lt;built jar&gt;, or null. */
    private static Instruction jarCopy() {
        Path jar = Path.of("target", builtJarName());
        for (Instruction instruction : instructions) {
            if (!instruction.keyword().equals("COPY") && !instruction.keyword().equals("ADD")) {
                continue;
            }
            List<String> tokens = instruction.tokens();
            if (tokens.stream().anyMatch(token -> token.startsWith("--from"))) {
                continue; // copies from another stage or image, not from target/
            }
            List<String> arguments = tokens.stream().filter(token -> !token.startsWith("--")).toList();
            for (String source : arguments.subList(0, Math.max(0, arguments.size() - 1))) {
                String glob = source.replaceFirst("^\\./", "");
                if (FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(jar)) {
                    return instruction;
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- pom.xml

    /** finalName + ".jar" of fhir-server/pom.xml (Maven's default finalName is artifactId-version). */
    private static String builtJarName() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element project = factory.newDocumentBuilder().parse(modulePom.toFile()).getDocumentElement();
            String artifactId = childText(project, "artifactId");
            String version = childText(project, "version");
            if (version == null) {
                Element parent = child(project, "parent");
                version = parent == null ? null : childText(parent, "version");
            }
            assertThat(artifactId).as("artifactId of %s", modulePom).isEqualTo("fhir-server");
            assertThat(version).as("version of %s", modulePom).isNotBlank();
            Element build = child(project, "build");
            String finalName = build == null ? null : childText(build, "finalName");
            if (finalName == null) {
                finalName = "${project.artifactId}-${project.version}";
            }
            return finalName.replace("${project.artifactId}", artifactId).replace("${project.version}", version) + ".jar";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + modulePom, e);
        }
    }

    private static Element child(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        return null;
    }

    private static String childText(Element parent, String name) {
        Element element = child(parent, name);
        return element == null ? null : element.getTextContent().trim();
    }

    // ---------------------------------------------------------------- small parsing helpers

    private static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object node, String what) {
        if (!(node instanceof Map<?, ?>)) {
            fail("expected a mapping at '%s', found: %s", what, node);
        }
        return (Map<String, Object>) node;
    }

    /** Spring ("20s", "500ms", "PT20S", plain milliseconds) and compose/Go ("1m30s") durations. */
    private static Duration parseDuration(String text) {
        String value = text.trim();
        if (value.toUpperCase(Locale.ROOT).startsWith("P")) {
            return Duration.parse(value);
        }
        if (value.matches("\\d+")) {
            return Duration.ofMillis(Long.parseLong(value));
        }
        Matcher part = Pattern.compile("(\\d+)(ns|us|ms|s|m|h|d)").matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find()) {
            assertThat(part.start()).as("duration '%s'", text).isEqualTo(end);
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "ns" -> Duration.ofNanos(amount);
                case "us" -> Duration.ofNanos(amount * 1000);
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
            end = part.end();
        }
        assertThat(end).as("duration '%s' fully understood", text).isEqualTo(value.length()).isPositive();
        return total;
    }
}
