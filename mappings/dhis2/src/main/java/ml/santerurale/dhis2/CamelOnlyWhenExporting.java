package ml.santerurale.dhis2;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Apache Camel's auto-configurations (its context, components, health checks) only when export to
 * DHIS2 is on ({@code srm.dhis2.base-url} set): the delivery route is the only Camel route, and a
 * context with no route still cost every start its boot and classes (0.9–2 s, docs/PERFORMANCE.md).
 *
 * <p>Does not guard code that asks for a {@code CamelContext} bean while export is off: there is
 * none then.
 */
public final class CamelOnlyWhenExporting implements AutoConfigurationImportFilter, EnvironmentAware {

    private static final String CAMEL = "org.apache.camel.";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata metadata) {
        boolean exporting = exporting(environment);
        boolean[] kept = new boolean[autoConfigurationClasses.length];
        for (int i = 0; i < kept.length; i++) {
            String name = autoConfigurationClasses[i];
            kept[i] = exporting || name == null || !name.startsWith(CAMEL);
        }
        return kept;
    }

    static boolean exporting(Environment environment) {
        return !environment.getProperty("srm.dhis2.base-url", "").isBlank();
    }
}
