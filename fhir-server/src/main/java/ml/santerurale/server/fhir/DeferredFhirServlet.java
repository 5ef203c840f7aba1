package ml.santerurale.server.fhir;

import ca.uhn.fhir.rest.server.RestfulServer;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The servlet registered at {@code /fhir/*}: HAPI's {@link RestfulServer}, looked up when Tomcat
 * initialises the servlet rather than when the servlet is registered.
 *
 * <p>Why: Spring Boot creates servlet registrations while it creates the embedded web server,
 * before the bean factory's configuration is frozen; a registration holding the
 * {@code RestfulServer} itself made Spring build HAPI's whole graph (DAOs, entity manager,
 * validation chain) at that point, when Spring does not yet cache which beans have which type:
 * every one of the thousands of autowired fields scanned every bean definition (a quarter of the
 * start-up's main-thread samples). Built later, with the other singletons, it is the same object
 * built with the type cache on. Spring Boot defers load-on-startup to the web server's start, after
 * every singleton exists, so the first request still finds the server initialised.
 *
 * <p>Does not guarantee anything about requests before Tomcat starts listening: there are none
 * (Tomcat's connectors start after this servlet is initialised).
 */
final class DeferredFhirServlet extends HttpServlet {

    private final transient ObjectProvider<RestfulServer> server;
    private transient volatile RestfulServer delegate;

    DeferredFhirServlet(ObjectProvider<RestfulServer> server) {
        this.server = server;
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        RestfulServer restfulServer = server.getObject();
        restfulServer.init(config);
        delegate = restfulServer;
    }

    @Override
    public void service(ServletRequest request, ServletResponse response) throws ServletException, IOException {
        RestfulServer restfulServer = delegate;
        if (restfulServer == null) {
            throw new ServletException("The FHIR servlet is not initialised");
        }
        restfulServer.service(request, response);
    }

    @Override
    public void destroy() {
        RestfulServer restfulServer = delegate;
        if (restfulServer != null) {
            restfulServer.destroy();
        }
        super.destroy();
    }
}
