package ml.santerurale.server.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import ml.santerurale.server.support.TestTokens;

/**
 * One simulated health centre: a care worker's account (one user token for the site's devices and
 * searches), its 2 or 3 devices, and the address it reaches the server from (its own
 * {@code X-Forwarded-For}, as the reverse proxy would send it, so each site has its own
 * address bucket of the rate limits).
 *
 * <p>Simulated sites are mapped onto the catalogue's CSCOMs in turn: with more simulated sites than
 * CSCOMs (500 against the pilot's 95), several simulated sites share one CSCOM's partition, so each
 * device's change feed carries its neighbours' records too (heavier pulls than 500 real sites).
 */
final class SimulatedSite {

    /** Tokens last 15 minutes ({@link TestTokens}); each site gets a new one after this. */
    private static final Duration TOKEN_RENEWAL = Duration.ofMinutes(10);

    final int index;
    final String code;
    final String organization;
    final String address;
    final List<SimulatedDevice> devices = new ArrayList<>();
    /** Patients whose batch was acknowledged, for the clinicians' reads. */
    final List<String> patients = new CopyOnWriteArrayList<>();
    private final TestTokens issuer;
    private String token;
    private Instant tokenMinted = Instant.EPOCH;

    SimulatedSite(int index, String code, TestTokens issuer, Instant feedStart) {
        this.index = index;
        this.code = code;
        this.organization = code.toLowerCase(Locale.ROOT);
        this.address = String.format(Locale.ROOT, "10.%d.%d.%d", 100 + index / 65536, index / 256 % 256, index % 256);
        this.issuer = issuer;
        for (int d = 0; d < LoadProfile.devicesOf(index); d++) {
            devices.add(new SimulatedDevice(this, String.format(Locale.ROOT, "load-site%04d-device%d", index, d + 1), feedStart));
        }
    }

    synchronized String token() {
        Instant now = Instant.now();
        if (Duration.between(tokenMinted, now).compareTo(TOKEN_RENEWAL) > 0) {
            token = issuer.user(String.format(Locale.ROOT, "soignant.load%04d", index), Set.of("soignant"), Set.of(code));
            tokenMinted = now;
        }
        return token;
    }

    /** {@code count} sites over the CSCOMs of the catalogue {@code catalogue} (the sites file's JSON), in turn. */
    static List<SimulatedSite> over(InputStream catalogue, int count, TestTokens issuer, Instant feedStart) {
        List<String> cscoms = cscoms(catalogue);
        List<SimulatedSite> sites = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sites.add(new SimulatedSite(i, cscoms.get(i % cscoms.size()), issuer, feedStart));
        }
        return sites;
    }

    static List<String> cscoms(InputStream catalogue) {
        try {
            JsonNode file = new ObjectMapper().readTree(catalogue);
            List<String> codes = new ArrayList<>();
            file.path("sites").forEach(site -> {
                if ("cscom".equals(site.path("level").asText())) {
                    codes.add(site.path("code").asText());
                }
            });
            if (codes.isEmpty()) {
                throw new IllegalArgumentException("the sites catalogue lists no CSCOM");
            }
            return codes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
