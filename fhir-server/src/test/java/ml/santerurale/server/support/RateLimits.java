package ml.santerurale.server.support;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Keys with low rate limits in the shared test server (every other key has limits no test
 * reaches): one user, one device, one client address (sent as {@code X-Forwarded-For} from the
 * loopback proxy the server trusts). Each bucket holds {@link #BURST} tokens and gets one back
 * every 10 s. Only {@code RateLimitTest} uses them.
 */
public final class RateLimits {

    public static final int BURST = 3;
    public static final String USERNAME = "rate.limited.test";
    public static final String SUBJECT = UUID.nameUUIDFromBytes(USERNAME.getBytes(StandardCharsets.UTF_8)).toString();
    public static final String DEVICE = "stuck-phone-test";
    public static final String ADDRESS = "203.0.113.77";

    /** The override properties under {@code srm.rate-limit.}. */
    static final Map<String, String> KEYS = overrides();

    private RateLimits() {}

    private static Map<String, String> overrides() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("user.overrides[" + SUBJECT + "].burst", Integer.toString(BURST));
        keys.put("user.overrides[" + SUBJECT + "].per-minute", "6");
        keys.put("device.overrides[" + DEVICE + "].burst", Integer.toString(BURST));
        keys.put("device.overrides[" + DEVICE + "].per-minute", "6");
        keys.put("address.overrides[" + ADDRESS + "].burst", Integer.toString(BURST));
        keys.put("address.overrides[" + ADDRESS + "].per-minute", "6");
        return keys;
    }
}
