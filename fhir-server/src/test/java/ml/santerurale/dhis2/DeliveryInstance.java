package ml.santerurale.dhis2;

import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A delivery route of its own, in a Camel context of its own, over the server's journal: what
 * another server process (or the same one after a restart) runs, for tests that stop one mid-attempt.
 * Does not share the server's Camel context; the journal (database access) is the server's.
 */
public final class DeliveryInstance implements AutoCloseable {

    private final CamelContext camel;

    private DeliveryInstance(CamelContext camel) {
        this.camel = camel;
    }

    public static DeliveryInstance start(ExportJournal journal, Dhis2Properties properties) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        Properties placeholders = new Properties();
        placeholders.setProperty("srm.dhis2.base-url", properties.baseUrl());
        placeholders.setProperty("srm.dhis2.id-scheme", properties.idScheme());
        camel.getPropertiesComponent().setInitialProperties(placeholders);
        camel.addRoutes(new Dhis2DeliveryRoute(journal, properties));
        camel.start();
        return new DeliveryInstance(camel);
    }

    /** Stops the routes as a shutdown does, giving in-flight attempts {@code seconds} before forcing them. */
    public void stop(int seconds) {
        camel.getShutdownStrategy().setTimeout(seconds);
        camel.getShutdownStrategy().setShutdownNowOnTimeout(true);
        camel.stop();
    }

    @Override
    public void close() {
        if (!camel.isStopped()) {
            stop(1);
        }
    }
}
