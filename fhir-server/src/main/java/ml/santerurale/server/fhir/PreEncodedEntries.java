package ml.santerurale.server.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.SummaryEnum;
import ca.uhn.fhir.rest.api.server.IRestfulResponse;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.ETagSupportEnum;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.method.ElementsParameter;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.util.DateUtils;
import java.io.IOException;
import java.io.Writer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Basic;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * Writes stored resources (a read, a search's matches, a change feed page) as the JSON
 * already made from their stored text ({@link StoredJson}) instead of having HAPI's encoder walk
 * and write every resource again: the encoding was a third of a feed page's request thread
 * (HAPI's search for resources to contain alone 13 %) and a fifth of a name search's. HAPI still
 * builds the Bundle (links, entries' search, request and response parts) and writes its headers;
 * a Bundle whose every entry has its JSON is written whole by {@link BundleJson}, any other one
 * by HAPI's encoder with each ready entry's {@code resource} spliced in. The code that loads a resource
 * {@linkplain #remember remembers} its JSON for the request, by identity: a hook that replaces a
 * resource (as masking hooks do) leaves the new one to HAPI's encoder. A read's answer, the
 * resource itself, is written here with the headers HAPI gives it (Content-Location, ETag,
 * Last-Modified, content type, gzip).
 *
 * <p>After every other outgoing-response hook has seen the Bundle as HAPI built it (audit reads
 * the resources), each entry whose resource has its JSON ready is given a placeholder resource
 * with an id no client can guess; the writer HAPI creates for the response is wrapped, and the
 * placeholders it receives are replaced by the resources' JSON. The entries get their resources
 * back when the response is written. Only for a JSON response in HAPI's default form: no
 * {@code _pretty}, {@code _summary}, {@code _elements}; anything else is HAPI's encoding.
 *
 * <p>Does not guarantee: a hook that changes a loaded resource in place (not replacing it) is
 * not seen (none does: our hooks that see matches or a feed page filter or read them, or change
 * the Bundle's own elements); such a hook would have to run after this one.
 */
@Interceptor
public final class PreEncodedEntries {

    private static final String ENCODED = PreEncodedEntries.class.getName() + ".encoded";
    private static final String SPLICE = PreEncodedEntries.class.getName() + ".splice";
    private static final String WANTED = PreEncodedEntries.class.getName() + ".wanted";
    /** After the hooks that read or complete the page (HAPI's default order is 0). */
    private static final int LAST = 1_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final LongAdder spliced = new LongAdder();
    private final LongAdder whole = new LongAdder();
    private final LongAdder bundles = new LongAdder();

    /**
     * Whether this request's answer is HAPI's plain JSON, the only form ready JSON serves (no XML,
     * {@code _pretty}, {@code _summary}, {@code _elements}, {@code _count=0}); decided once per
     * request, so that loaders prepare JSON only for answers that can use it.
     */
    public static boolean wanted(RequestDetails requestDetails) {
        if (!(requestDetails instanceof ServletRequestDetails)) {
            return false;
        }
        return (Boolean) requestDetails.getUserData().computeIfAbsent(WANTED, key -> defaultJson(requestDetails));
    }

    /** Resources of this request with their JSON ready (by identity); a null JSON is ignored. */
    public static void remember(RequestDetails requestDetails, Map<IBaseResource, String> encoded) {
        if (!encoded.isEmpty()) {
            encodedOf(requestDetails).putAll(encoded);
        }
    }

    /** One resource of this request with its JSON ready; nothing when {@code json} is null. */
    public static void remember(RequestDetails requestDetails, IBaseResource resource, String json) {
        if (json != null && requestDetails != null) {
            encodedOf(requestDetails).put(resource, json);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<IBaseResource, String> encodedOf(RequestDetails requestDetails) {
        return (Map<IBaseResource, String>) requestDetails.getUserData().computeIfAbsent(ENCODED, key -> new IdentityHashMap<>());
    }

    @Hook(value = Pointcut.SERVER_OUTGOING_RESPONSE, order = LAST)
    public boolean placeholders(RequestDetails requestDetails, IBaseResource response, ResponseDetails responseDetails)
            throws IOException {
        @SuppressWarnings("unchecked")
        Map<IBaseResource, String> encoded = (Map<IBaseResource, String>) requestDetails.getUserData().get(ENCODED);
        if (encoded == null || response == null || !wanted(requestDetails)) {
            return true;
        }
        String base = requestDetails.getFhirServerBase();
        if (!(response instanceof Bundle bundle)) {
            String json = encoded.get(response);
            if (!usable(json, base) || !(response instanceof Resource resource) || resource.fhirType().equals("Binary")) {
                return true;
            }
            // Counted before the client can have the answer.
            whole.increment();
            writeResource(requestDetails, resource, json, responseDetails.getResponseCode());
            return false;
        }
        boolean everyEntry = true;
        int resources = 0;
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            if (entry.hasResource()) {
                everyEntry &= usable(encoded.get(entry.getResource()), base);
                resources++;
            }
        }
        String bundleJson = everyEntry ? BundleJson.of(bundle, encoded) : null;
        if (bundleJson != null) {
            // HAPI writes the headers from a stand-in with the Bundle's id and meta; the writer
            // writes the whole Bundle instead of the stand-in.
            Bundle standIn = new Bundle().setType(bundle.getType());
            standIn.setIdElement(bundle.getIdElement().copy());
            standIn.setMeta(bundle.getMeta().copy());
            responseDetails.setResponseResource(standIn);
            requestDetails.getUserData().put(SPLICE, new Splices(null, List.of(), bundleJson));
            // Counted before the client can have the page.
            spliced.add(resources);
            bundles.increment();
            return true;
        }
        String nonce = HexFormat.of().formatHex(randomBytes());
        List<Splice> splices = new ArrayList<>();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            Resource resource = entry.getResource();
            String json = resource == null ? null : encoded.get(resource);
            if (!usable(json, base)) {
                continue;
            }
            Basic placeholder = new Basic();
            placeholder.setId("srm" + nonce + "-" + splices.size());
            splices.add(new Splice(entry, resource, json));
            entry.setResource(placeholder);
        }
        if (!splices.isEmpty()) {
            requestDetails.getUserData().put(SPLICE,
                    new Splices("{\"resourceType\":\"Basic\",\"id\":\"srm" + nonce + "-", splices, null));
        }
        return true;
    }

    /**
     * A single resource's answer (a read) written as HAPI's {@code streamResponseAsResource}
     * writes it: Content-Location, ETag and Last-Modified from the resource's id and meta, the
     * content type the request asked for, gzip when accepted.
     */
    private static void writeResource(RequestDetails requestDetails, Resource resource, String json, int status)
            throws IOException {
        IRestfulResponse response = requestDetails.getResponse();
        IIdType fullId = RestfulServerUtils.fullyQualifyResourceIdOrReturnNull(requestDetails.getServer(), resource,
                requestDetails.getFhirServerBase(), resource.getIdElement());
        if (fullId != null) {
            if (requestDetails.getRequestType() == RequestTypeEnum.POST) {
                response.addHeader(Constants.HEADER_LOCATION, fullId.getValue());
            }
            response.addHeader(Constants.HEADER_CONTENT_LOCATION, fullId.getValue());
        }
        if (requestDetails.getServer().getETagSupport() == ETagSupportEnum.ENABLED) {
            String version = fullId != null && fullId.hasVersionIdPart() ? fullId.getVersionIdPart() : resource.getMeta().getVersionId();
            if (version != null && !version.isBlank()) {
                response.addHeader(Constants.HEADER_ETAG, RestfulServerUtils.createEtag(version));
            }
        }
        if (resource.getMeta().getLastUpdated() != null) {
            response.addHeader(Constants.HEADER_LAST_MODIFIED, DateUtils.formatDate(resource.getMeta().getLastUpdated()));
        }
        Writer writer = response.getResponseWriter(status,
                RestfulServerUtils.determineResponseEncodingWithDefault(requestDetails).getResourceContentType(),
                Constants.CHARSET_NAME_UTF8, requestDetails.isRespondGzip());
        writer.write(json);
        response.commitResponse(writer);
    }

    /** HAPI's encoder makes absolute references to this server's base relative: such JSON is left to it. */
    private static boolean usable(String json, String base) {
        return json != null && (base == null || !json.contains(base));
    }

    @Hook(Pointcut.SERVER_OUTGOING_WRITER_CREATED)
    public Writer splice(Writer writer, RequestDetails requestDetails) {
        Object splices = requestDetails.getUserData().remove(SPLICE);
        return splices instanceof Splices s ? new SplicingWriter(writer, s, spliced) : writer;
    }

    /** Bundle entries written from their ready JSON since the start (for tests and metrics). */
    public long spliced() {
        return spliced.sum();
    }

    /** Bundles written whole from their entries' ready JSON since the start (for tests). */
    public long bundles() {
        return bundles.sum();
    }

    /** Single-resource responses (reads) written from their ready JSON since the start. */
    public long whole() {
        return whole.sum();
    }

    /** HAPI's plain JSON: the form the stored JSON is in. */
    private static boolean defaultJson(RequestDetails requestDetails) {
        if (RestfulServerUtils.determineResponseEncodingWithDefault(requestDetails).getEncoding() != EncodingEnum.JSON
                || RestfulServerUtils.prettyPrintResponse(requestDetails.getServer(), requestDetails)
                || !Set.of(SummaryEnum.FALSE).equals(RestfulServerUtils.determineSummaryMode(requestDetails))
                || ElementsParameter.getElementsValueOrNull(requestDetails, false) != null
                || ElementsParameter.getElementsValueOrNull(requestDetails, true) != null) {
            return false;
        }
        String[] count = requestDetails.getParameters().get(Constants.PARAM_COUNT);
        return count == null || count.length == 0 || !"0".equals(count[0]);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private record Splice(Bundle.BundleEntryComponent entry, Resource resource, String json) {}

    /**
     * {@code marker}: the text every placeholder of one response starts with, its index follows;
     * {@code whole}: a whole Bundle's JSON, written instead of what HAPI writes (a stand-in).
     */
    private record Splices(String marker, List<Splice> entries, String whole) {}

    /**
     * Holds what HAPI writes (the page with placeholders, small) and writes it with the
     * placeholders replaced when HAPI closes it; then gives the entries their resources back.
     */
    private static final class SplicingWriter extends Writer {

        private final Writer target;
        private final Splices splices;
        private final LongAdder spliced;
        private final StringBuilder page = new StringBuilder(8192);
        private boolean closed;

        SplicingWriter(Writer target, Splices splices, LongAdder spliced) {
            this.target = target;
            this.splices = splices;
            this.spliced = spliced;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            page.append(chars, offset, length);
        }

        @Override
        public void write(String text, int offset, int length) {
            page.append(text, offset, offset + length);
        }

        @Override
        public void write(int c) {
            page.append((char) c);
        }

        @Override
        public void flush() {
            // Nothing reaches the client before the page is complete.
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (splices.whole() != null) {
                    target.write(splices.whole());
                    target.close();
                    return;
                }
                String marker = splices.marker();
                int from = 0;
                int at;
                int written = 0;
                while ((at = page.indexOf(marker, from)) >= 0) {
                    int indexStart = at + marker.length();
                    int indexEnd = page.indexOf("\"}", indexStart);
                    int index = Integer.parseInt(page, indexStart, indexEnd, 10);
                    target.append(page, from, at).write(splices.entries().get(index).json());
                    from = indexEnd + 2;
                    written++;
                }
                target.append(page, from, page.length());
                // Counted before the client can have the whole page.
                spliced.add(written);
                target.close();
            } finally {
                for (Splice splice : splices.entries()) {
                    splice.entry().setResource(splice.resource());
                }
            }
        }
    }
}
