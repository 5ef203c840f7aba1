package ml.santerurale.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * A fake DHIS2 that answers {@code POST /api/dataValueSets} as DHIS2's Web API documents it:
 * 401 without the expected {@code Authorization}, 415 for a body that is not JSON, an
 * ImportSummary in DHIS2's envelope ({@code httpStatus}, {@code response.importCount},
 * {@code response.conflicts}); an invalid period is an ERROR (409, nothing imported); an unknown
 * org unit, data element or category option combo is a conflict (its values ignored) and the
 * answer a 409 with status WARNING; with {@code importStrategy=CREATE_AND_UPDATE} a value already
 * stored is counted as updated. It can be told to answer 500, to hang, to drop the connection
 * after reading the request, or to import and then hang, for the next requests. One per test JVM, plain sockets, HTTP/1.1
 * with {@code Connection: close}.
 */
public final class FakeDhis2 {

    public static final String AUTHORIZATION = "ApiToken d2pat_fake0secret0value0for0tests0only";
    private static final Pattern PERIOD = Pattern.compile("\\d{4}(0[1-9]|1[0-2])|\\d{4}W([1-9]|[1-4]\\d|5[0-3])");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeDhis2 instance;

    public enum Failure {
        ERROR_500, HANG, DROP,
        /** Imports the values, then never answers: DHIS2 has them, the sender does not know. */
        IMPORT_THEN_HANG
    }

    /** A request as received. */
    public record Received(String query, String authorization, String contentType, String body) {}

    private final ServerSocket socket;
    private final Set<String> orgUnits = ConcurrentHashMap.newKeySet();
    private final Set<String> unknownCodes = ConcurrentHashMap.newKeySet();
    private final Map<String, String> values = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private volatile String expectedAuthorization = AUTHORIZATION;

    private FakeDhis2() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fake-dhis2");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static synchronized FakeDhis2 get() {
        if (instance == null) {
            try {
                instance = new FakeDhis2();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    public String baseUrl() {
        return "http://localhost:" + socket.getLocalPort();
    }

    /** Org units DHIS2 knows (others are conflicts). Data elements and combos are known unless {@link #forget}. */
    public void knowOrgUnit(String uid) {
        orgUnits.add(uid);
    }

    /** A data element or category option combo code DHIS2 does not know from now on. */
    public void forget(String code) {
        unknownCodes.add(code);
    }

    /** Undoes {@link #forget}. */
    public void knowAgain(String code) {
        unknownCodes.remove(code);
    }

    public synchronized void failNext(Failure... next) {
        failures.addAll(List.of(next));
    }

    public void expectAuthorization(String value) {
        expectedAuthorization = value;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The stored value of a cell, or null. */
    public String value(String dataSet, String period, String orgUnit, String dataElement, String combo) {
        return values.get(String.join("|", dataSet, period, orgUnit, dataElement, combo));
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                Thread handler = new Thread(() -> handle(connection), "fake-dhis2-request");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket connection) {
        try (connection) {
            InputStream in = connection.getInputStream();
            String requestLine = line(in);
            Map<String, String> headers = new HashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            String body = body(in, headers);
            String[] parts = requestLine.split(" ");
            String target = parts.length > 1 ? parts[1] : "";
            String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
            String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : "";
            received.add(new Received(query, headers.get("authorization"), headers.get("content-type"), body));
            Failure failure;
            synchronized (this) {
                failure = failures.poll();
            }
            if (failure == Failure.DROP) {
                return; // read, then closed without a word
            }
            if (failure == Failure.HANG) {
                Thread.sleep(60_000);
                return;
            }
            if (failure == Failure.ERROR_500) {
                respond(connection.getOutputStream(), 500, "{\"httpStatus\":\"Internal Server Error\",\"httpStatusCode\":500,"
                        + "\"status\":\"ERROR\",\"message\":\"Database unavailable\"}");
                return;
            }
            if (!"POST".equals(parts[0]) || !"/api/dataValueSets".equals(path)) {
                respond(connection.getOutputStream(), 404, envelope(404, "Not Found", "ERROR", "Not found: " + path, null));
                return;
            }
            if (!expectedAuthorization.equals(headers.get("authorization"))) {
                respond(connection.getOutputStream(), 401, envelope(401, "Unauthorized", "ERROR", "Unauthorized", null));
                return;
            }
            String contentType = headers.getOrDefault("content-type", "");
            if (!contentType.startsWith("application/json")) {
                respond(connection.getOutputStream(), 415, envelope(415, "Unsupported Media Type", "ERROR",
                        "Content type '" + contentType + "' not supported", null));
                return;
            }
            if (failure == Failure.IMPORT_THEN_HANG) {
                importSet(OutputStream.nullOutputStream(), parameters(query), JSON.readTree(body));
                Thread.sleep(60_000);
                return;
            }
            importSet(connection.getOutputStream(), parameters(query), JSON.readTree(body));
        } catch (IOException | InterruptedException e) {
            // the client went away, or the test JVM ends
        }
    }

    private void importSet(OutputStream out, Map<String, String> parameters, JsonNode set) throws IOException {
        ArrayNode conflicts = JSON.createArrayNode();
        int imported = 0;
        int updated = 0;
        int ignored = 0;
        JsonNode dataValues = set.path("dataValues");
        String period = set.path("period").asText();
        String orgUnit = set.path("orgUnit").asText();
        if (!PERIOD.matcher(period).matches()) {
            conflicts.add(conflict(period, "period", "Period not valid: " + period, "E7600"));
            respond(out, 409, envelope(409, "Conflict", "ERROR", "An error occurred, please check import summary.",
                    summary("ERROR", 0, 0, dataValues.size(), conflicts)));
            return;
        }
        if (!orgUnits.contains(orgUnit)) {
            conflicts.add(conflict(orgUnit, "orgUnit", "Organisation unit not found or not accessible", "E7612"));
            respond(out, 409, envelope(409, "Conflict", "WARNING", "One more conflicts encountered, please check import summary.",
                    summary("WARNING", 0, 0, dataValues.size(), conflicts)));
            return;
        }
        boolean createAndUpdate = "CREATE_AND_UPDATE".equals(parameters.getOrDefault("importStrategy", "CREATE_AND_UPDATE"));
        for (JsonNode value : dataValues) {
            String dataElement = value.path("dataElement").asText();
            String combo = value.path("categoryOptionCombo").asText();
            if (unknownCodes.contains(dataElement)) {
                conflicts.add(conflict(dataElement, "dataElement", "Data element not found or not accessible", "E7610"));
                ignored++;
                continue;
            }
            if (unknownCodes.contains(combo)) {
                conflicts.add(conflict(combo, "categoryOptionCombo", "Category option combo not found or not accessible", "E7611"));
                ignored++;
                continue;
            }
            String key = String.join("|", set.path("dataSet").asText(), period, orgUnit, dataElement, combo);
            if (values.containsKey(key) && !createAndUpdate) {
                ignored++;
            } else if (values.put(key, value.path("value").asText()) == null) {
                imported++;
            } else {
                updated++;
            }
        }
        if (conflicts.isEmpty()) {
            respond(out, 200, envelope(200, "OK", "OK", "Import was successful.", summary("SUCCESS", imported, updated, ignored, conflicts)));
        } else {
            respond(out, 409, envelope(409, "Conflict", "WARNING", "One more conflicts encountered, please check import summary.",
                    summary("WARNING", imported, updated, ignored, conflicts)));
        }
    }

    private static ObjectNode conflict(String object, String property, String value, String errorCode) {
        ObjectNode conflict = JSON.createObjectNode();
        conflict.put("object", object);
        conflict.putObject("objects").put(property, object);
        conflict.put("value", value);
        conflict.put("errorCode", errorCode);
        conflict.put("property", property);
        return conflict;
    }

    private static ObjectNode summary(String status, int imported, int updated, int ignored, ArrayNode conflicts) {
        ObjectNode summary = JSON.createObjectNode();
        summary.put("responseType", "ImportSummary");
        summary.put("status", status);
        summary.put("description", "Import process completed successfully");
        ObjectNode count = summary.putObject("importCount");
        count.put("imported", imported).put("updated", updated).put("ignored", ignored).put("deleted", 0);
        summary.set("conflicts", conflicts);
        return summary;
    }

    private static String envelope(int code, String httpStatus, String status, String message, ObjectNode response) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("httpStatus", httpStatus);
        envelope.put("httpStatusCode", code);
        envelope.put("status", status);
        envelope.put("message", message);
        if (response != null) {
            envelope.set("response", response);
        }
        return envelope.toString();
    }

    private static void respond(OutputStream out, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " X\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> parameters = new HashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                parameters.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return parameters;
    }

    private static String body(InputStream in, Map<String, String> headers) throws IOException {
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
            line(in);
            return body.toString(StandardCharsets.UTF_8);
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
