package ml.santerurale.dhis2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class CamelOnlyWhenExportingTest {

    private static final String[] CANDIDATES = {
            "org.apache.camel.spring.boot.CamelAutoConfiguration",
            "org.apache.camel.component.http.springboot.HttpComponentAutoConfiguration",
            "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
            null,
    };

    @Test
    void withoutADhis2AddressCamelIsNotConfiguredAndEverythingElseIs() {
        assertThat(filterWith("")).containsExactly(false, false, true, true);
        assertThat(filterWith("   ")).containsExactly(false, false, true, true);
        assertThat(filterWith(null)).containsExactly(false, false, true, true);
    }

    @Test
    void withADhis2AddressEverythingIsConfigured() {
        assertThat(filterWith("https://dhis2.example.org")).containsExactly(true, true, true, true);
    }

    private static boolean[] filterWith(String baseUrl) {
        StandardEnvironment environment = new StandardEnvironment();
        if (baseUrl != null) {
            environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of("srm.dhis2.base-url", baseUrl)));
        }
        CamelOnlyWhenExporting filter = new CamelOnlyWhenExporting();
        filter.setEnvironment(environment);
        return filter.match(CANDIDATES, null);
    }
}
