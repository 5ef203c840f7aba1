package ml.santerurale.server.app;

import java.util.Map;
import ml.santerurale.server.security.SecurityProperties;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /app-config.json}: where the app signs in and where the FHIR API is. The app reads it
 * at start (its service worker keeps the last answer for offline starts), so one build serves
 * every deployment.
 */
@RestController
class AppConfigController {

    private final Map<String, String> config;

    AppConfigController(SecurityProperties security, AppProperties app) {
        this.config = Map.of(
                "issuer", AppSecurityHeaders.realmIssuer(security),
                "clientId", app.clientId(),
                "fhirBase", "/fhir");
    }

    @GetMapping(path = "/app-config.json", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, String>> appConfig() {
        return ResponseEntity.ok().cacheControl(CacheControl.noCache()).body(config);
    }
}
