package ml.santerurale.server.sync;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.StringType;

/**
 * Gives a change feed page its {@code next} link (a plain {@code _history} URL carrying the
 * cursor, stable and stateless on the server) and the instant the client keeps as its next
 * {@code _since} ({@code Bundle.meta.lastUpdated}, the same on every page of one feed). HAPI
 * builds the Bundle; this only completes it. Each page also names the sites it covers
 * ({@value #SCOPE_EXTENSION} on {@code Bundle.meta}, one per site): a device that held records
 * of a site no longer listed (its user moved) learns it here and purges them. A page carries no
 * {@code Bundle.total}: the feed does not count what it has not read.
 */
@Interceptor
final class FeedLinks {

    static final String SCOPE_EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-scope";

    private static final String PAGE = FeedLinks.class.getName() + ".page";

    static void remember(RequestDetails requestDetails, ChangeFeed.Page page, Date since, int size) {
        requestDetails.getUserData().put(PAGE, new Remembered(page, since, size));
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public boolean completeFeedPage(RequestDetails requestDetails, IBaseResource response) {
        if (!(requestDetails.getUserData().get(PAGE) instanceof Remembered remembered) || !(response instanceof Bundle bundle)) {
            return true;
        }
        // HAPI would write the page's own size as the total: a feed has no whole count to give.
        bundle.setTotalElement(null);
        bundle.getMeta().setLastUpdatedElement(new InstantType(remembered.page().issuedAt()));
        bundle.getMeta().getExtension().removeIf(extension -> SCOPE_EXTENSION.equals(extension.getUrl()));
        remembered.page().sites().forEach(site -> bundle.getMeta().addExtension(SCOPE_EXTENSION, new StringType(site)));
        bundle.getLink().removeIf(link -> "next".equals(link.getRelation()));
        if (remembered.page().next() != null) {
            // The same endpoint (system or type level) with the cursor.
            StringBuilder next = new StringBuilder(requestDetails.getFhirServerBase()).append('/')
                    .append(requestDetails.getRequestPath()).append("?_count=")
                    .append(remembered.size());
            if (remembered.since() != null) {
                next.append("&_since=").append(URLEncoder.encode(new InstantType(remembered.since()).getValueAsString(),
                        StandardCharsets.UTF_8));
            }
            next.append('&').append(SyncSystemProvider.CURSOR_PARAMETER).append('=').append(remembered.page().next().encode());
            bundle.addLink().setRelation("next").setUrl(next.toString());
        }
        return true;
    }

    private record Remembered(ChangeFeed.Page page, Date since, int size) {}
}
