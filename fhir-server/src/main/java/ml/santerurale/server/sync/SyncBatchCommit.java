package ml.santerurale.server.sync;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.r4.model.Bundle;

/**
 * The last step of a sync batch inside its database transaction, once HAPI has applied every
 * entry and before it commits: the Provenance, and the idempotency key with a response rebuilt
 * from the versions written. HAPI refuses to run a transaction inside one of ours, so this hook
 * is how our rows share its commit; HAPI completes its own response only after this point, and
 * {@link SyncPush} stores it over the rebuilt one once it has it. Does nothing for Bundles that
 * are not sync batches.
 */
@Interceptor
final class SyncBatchCommit {

    private static final String PENDING = SyncBatchCommit.class.getName() + ".pending";

    private final IdempotencyKeys keys;
    private final WrittenVersions writtenVersions;
    private final BatchProvenance provenance;
    private final FhirContext fhirContext;

    SyncBatchCommit(IdempotencyKeys keys, WrittenVersions writtenVersions, BatchProvenance provenance, FhirContext fhirContext) {
        this.keys = keys;
        this.writtenVersions = writtenVersions;
        this.provenance = provenance;
        this.fhirContext = fhirContext;
    }

    static void expect(RequestDetails requestDetails, Pending pending) {
        requestDetails.getUserData().put(PENDING, pending);
    }

    @Hook(Pointcut.STORAGE_TRANSACTION_PROCESSED)
    public void recordBatch(RequestDetails requestDetails) {
        Object pending = requestDetails == null ? null : requestDetails.getUserData().remove(PENDING);
        if (!(pending instanceof Pending batch)) {
            return;
        }
        List<WrittenVersions.Written> written = writtenVersions.inCurrentTransaction();
        provenance.record(batch.batch(), batch.caller(), written, batch.received());
        keys.record(batch.batch().key(), batch.caller().subject(), batch.requestSha256(), IdempotencyKeys.REBUILT,
                fhirContext.newJsonParser().encodeResourceToString(rebuiltResponse(batch.request(), written)));
    }

    /**
     * The answer HAPI gives, rebuilt from what was written (without HAPI's per-entry timing
     * notes): served only if the server stopped between the commit and storing HAPI's own.
     */
    private static Bundle rebuiltResponse(Bundle request, List<WrittenVersions.Written> written) {
        Map<String, WrittenVersions.Written> last = written.stream()
                .collect(Collectors.toMap(WrittenVersions.Written::reference, Function.identity(), (a, b) -> b));
        Bundle response = new Bundle();
        response.setType(Bundle.BundleType.TRANSACTIONRESPONSE);
        for (Bundle.BundleEntryComponent entry : request.getEntry()) {
            WrittenVersions.Written version = last.get(entry.getRequest().getUrl());
            Bundle.BundleEntryResponseComponent answer = response.addEntry().getResponse();
            if (version == null) {
                answer.setStatus("200 OK");
            } else if (version.deleted()) {
                answer.setStatus("204 No Content").setEtag("W/\"" + version.version() + "\"");
            } else {
                answer.setStatus(version.version() == 1 ? "201 Created" : "200 OK")
                        .setLocation(version.versionedReference()).setEtag("W/\"" + version.version() + "\"");
            }
        }
        return response;
    }

    record Pending(SyncBatch batch, Bundle request, Caller caller, String requestSha256, Instant received) {}
}
