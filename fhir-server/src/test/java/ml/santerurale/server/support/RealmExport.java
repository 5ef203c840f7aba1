package ml.santerurale.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/** The realm files of keycloak-realm/ read as JSON, for tests of what they declare. */
public final class RealmExport {

    public static final Path REALM_DIR = Path.of(System.getProperty("user.dir")).getParent().resolve("keycloak-realm");

    private final JsonNode realm;

    private RealmExport(JsonNode realm) {
        this.realm = realm;
    }

    /** {@code keycloak-realm/sante-mali-realm.json}, the file production imports. */
    public static RealmExport production() {
        return new RealmExport(read(REALM_DIR.resolve("sante-mali-realm.json")));
    }

    public static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new AssertionError("Cannot read " + file, e);
        }
    }

    public JsonNode json() {
        return realm;
    }

    public JsonNode client(String clientId) {
        return StreamSupport.stream(realm.get("clients").spliterator(), false)
                .filter(c -> clientId.equals(c.get("clientId").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no client " + clientId));
    }

    public static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
