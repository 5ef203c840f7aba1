package ml.santerurale.server.access;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.PolicyException;
import org.springframework.core.io.Resource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reads the access policy file; any mistake in it is a {@link PolicyException} naming the file. */
final class AccessPolicyFile {

    private static final Set<String> SECTIONS = Set.of("types", "roles", "audit-scope");

    private AccessPolicyFile() {}

    @SuppressWarnings("unchecked")
    static AccessPolicy read(Resource file, Collection<String> knownRoles, Collection<String> servedTypes) {
        Object document;
        try (InputStream in = file.getInputStream()) {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new PolicyException("The access policy file " + file + " cannot be read: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new PolicyException("The access policy file " + file + " is not valid YAML: " + e.getMessage());
        }
        try {
            if (!(document instanceof Map<?, ?> root)) {
                throw new PolicyException("the file must be a mapping with types, roles and audit-scope");
            }
            for (Object key : root.keySet()) {
                if (!SECTIONS.contains(String.valueOf(key))) {
                    throw new PolicyException("unknown section '" + key + "' (expected " + SECTIONS + ")");
                }
            }
            return AccessPolicy.of(
                    (Map<String, List<String>>) required(root, "types"),
                    (Map<String, Map<String, List<String>>>) required(root, "roles"),
                    root.containsKey("audit-scope") ? (Map<String, String>) root.get("audit-scope") : Map.of(),
                    knownRoles, servedTypes);
        } catch (ClassCastException e) {
            throw new PolicyException("The access policy file " + file + " has a section of the wrong shape: " + e.getMessage());
        } catch (PolicyException e) {
            throw new PolicyException("The access policy file " + file + " is wrong: " + e.getMessage());
        }
    }

    private static Object required(Map<?, ?> root, String key) {
        Object value = root.get(key);
        if (!(value instanceof Map<?, ?>)) {
            throw new PolicyException("section '" + key + "' is missing or not a mapping");
        }
        return value;
    }
}
