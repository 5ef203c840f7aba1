package ml.santerurale.server.fhir;

import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BackboneElement;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.StringType;

/**
 * The JSON HAPI's encoder writes for a Bundle of stored resources (a search page, a change feed
 * page) whose every resource has its JSON ready ({@link StoredJson}): the Bundle's id, meta,
 * type, total and links, each entry's full URL, resource, search, request and response, in the
 * order and with the escaping of HAPI's encoder, without walking every resource again.
 *
 * <p>Does not guarantee anything for a Bundle with any other element (an identifier, a
 * timestamp, a signature, an entry's link or outcome, a search score, any extension but a string
 * extension on the Bundle's meta, an element id): it answers null and HAPI encodes the Bundle.
 * {@code PreEncodedEntriesTest} and {@code OneQuerySearchBuilderTest} compare the bytes with
 * HAPI's encoding.
 */
final class BundleJson {

    private BundleJson() {}

    /** HAPI's JSON of {@code bundle}, or null; {@code encoded}: each entry resource's JSON, by identity. */
    static String of(Bundle bundle, Map<IBaseResource, String> encoded) {
        if (bundle.hasIdentifier() || bundle.hasTimestamp() || bundle.hasSignature() || bundle.hasImplicitRules()
                || bundle.hasLanguage() || bundle.getIdElement().hasExtension() || !plain(bundle.getTotalElement())
                || !plain(bundle.getTypeElement())) {
            return null;
        }
        int size = 0;
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            String json = entry.hasResource() ? encoded.get(entry.getResource()) : "";
            if (json == null) {
                return null;
            }
            size += json.length() + 256;
        }
        StringBuilder out = new StringBuilder(size + 1024).append("{\"resourceType\":\"Bundle\"");
        if (bundle.getIdElement().hasIdPart()) {
            out.append(",\"id\":");
            StoredJson.string(out, bundle.getIdElement().getIdPart());
        }
        if (!meta(out, bundle.getMeta()) || !bundle.hasType()) {
            return null;
        }
        out.append(",\"type\":");
        StoredJson.string(out, bundle.getTypeElement().getValueAsString());
        if (bundle.hasTotal()) {
            out.append(",\"total\":").append(bundle.getTotal());
        }
        if (bundle.hasLink()) {
            out.append(",\"link\":[");
            for (int i = 0; i < bundle.getLink().size(); i++) {
                Bundle.BundleLinkComponent link = bundle.getLink().get(i);
                if (!plain(link) || link.hasExtension() || link.hasModifierExtension()) {
                    return null;
                }
                out.append(i > 0 ? ",{" : "{");
                int fields = field(out, 0, "relation", link.getRelation());
                field(out, fields, "url", link.getUrl());
                out.append('}');
            }
            out.append(']');
        }
        if (bundle.hasEntry()) {
            out.append(",\"entry\":[");
            for (int i = 0; i < bundle.getEntry().size(); i++) {
                if (!entry(out.append(i > 0 ? "," : ""), bundle.getEntry().get(i), encoded)) {
                    return null;
                }
            }
            out.append(']');
        }
        return out.append('}').toString();
    }

    private static boolean meta(StringBuilder out, Meta meta) {
        if (meta.isEmpty()) {
            return true;
        }
        if (meta.hasId() || meta.hasVersionId() || meta.hasSource() || meta.hasProfile() || meta.hasSecurity() || meta.hasTag()
                || meta.getLastUpdatedElement().hasExtension()) {
            return false;
        }
        out.append(",\"meta\":{");
        int fields = 0;
        if (meta.hasExtension()) {
            out.append("\"extension\":[");
            for (int i = 0; i < meta.getExtension().size(); i++) {
                Extension extension = meta.getExtension().get(i);
                if (extension.hasId() || extension.hasExtension() || !(extension.getValue() instanceof StringType value)
                        || value.hasExtension() || value.hasId() || value.getValue() == null) {
                    return false;
                }
                out.append(i > 0 ? ",{" : "{");
                field(out, field(out, 0, "url", extension.getUrl()), "valueString", value.getValue());
                out.append('}');
            }
            out.append(']');
            fields++;
        }
        field(out, fields, "lastUpdated", meta.getLastUpdatedElement().getValueAsString());
        out.append('}');
        return true;
    }

    private static boolean entry(StringBuilder out, Bundle.BundleEntryComponent entry, Map<IBaseResource, String> encoded) {
        if (!plain(entry) || entry.hasLink() || !plain(entry.getSearch()) || entry.getSearch().hasScore()
                || !plain(entry.getRequest()) || entry.getRequest().hasIfNoneMatch() || entry.getRequest().hasIfModifiedSince()
                || entry.getRequest().hasIfMatch() || entry.getRequest().hasIfNoneExist()
                || !plain(entry.getResponse()) || entry.getResponse().hasOutcome()) {
            return false;
        }
        out.append('{');
        int fields = field(out, 0, "fullUrl", entry.getFullUrl());
        if (entry.hasResource()) {
            out.append(fields++ > 0 ? "," : "").append("\"resource\":").append(encoded.get(entry.getResource()));
        }
        if (entry.hasSearch()) {
            out.append(fields++ > 0 ? "," : "").append("\"search\":{");
            field(out, 0, "mode", entry.getSearch().getModeElement().getValueAsString());
            out.append('}');
        }
        if (entry.hasRequest()) {
            out.append(fields++ > 0 ? "," : "").append("\"request\":{");
            field(out, field(out, 0, "method", entry.getRequest().getMethodElement().getValueAsString()), "url",
                    entry.getRequest().getUrl());
            out.append('}');
        }
        if (entry.hasResponse()) {
            Bundle.BundleEntryResponseComponent response = entry.getResponse();
            out.append(fields > 0 ? "," : "").append("\"response\":{");
            int inner = field(out, 0, "status", response.getStatus());
            inner = field(out, inner, "location", response.getLocation());
            inner = field(out, inner, "etag", response.getEtag());
            field(out, inner, "lastModified", response.getLastModifiedElement().getValueAsString());
            out.append('}');
        }
        out.append('}');
        return true;
    }

    /** An element without an id or extensions on it or on its primitive children. */
    private static boolean plain(Element element) {
        if (element == null) {
            return true;
        }
        if (element.hasId() || element.hasExtension()
                || element instanceof BackboneElement backbone && backbone.hasModifierExtension()) {
            return false;
        }
        for (Property child : element.children()) {
            for (Base value : child.getValues()) {
                if (value instanceof PrimitiveType<?> primitive && (primitive.hasId() || primitive.hasExtension())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int field(StringBuilder out, int fields, String name, String value) {
        if (value == null || value.isEmpty()) {
            return fields;
        }
        out.append(fields > 0 ? "," : "").append('"').append(name).append("\":");
        StoredJson.string(out, value);
        return fields + 1;
    }
}
