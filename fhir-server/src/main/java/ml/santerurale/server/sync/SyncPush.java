package ml.santerurale.server.sync;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Applies a sync batch exactly once: a batch whose key is already recorded gets the recorded
 * response; otherwise every conflict is listed at once if any entry is stale, and the entries
 * are applied by HAPI's transaction processing (every access check and audit hook runs as for
 * any transaction), which also records the Provenance and the key with the response before it
 * commits ({@link SyncBatchCommit}). If anything fails, nothing of it stays, key included.
 *
 * <p>A copy of the batch arriving while the first is still being applied waits on the key, then
 * gets the first one's response. A retry with the same key but another content or user is
 * refused (422). Does not guarantee a replay once the key has expired (see {@link SyncProperties}).
 */
final class SyncPush {

    static final String REPLAYED_HEADER = "X-Sync-Replayed";

    private final IFhirSystemDao<Bundle, ?> systemDao;
    private final IdempotencyKeys keys;
    private final VersionConflicts conflicts;
    private final FhirContext fhirContext;

    SyncPush(IFhirSystemDao<Bundle, ?> systemDao, IdempotencyKeys keys, VersionConflicts conflicts, FhirContext fhirContext) {
        this.systemDao = systemDao;
        this.keys = keys;
        this.conflicts = conflicts;
        this.fhirContext = fhirContext;
    }

    Bundle accept(RequestDetails requestDetails, Bundle bundle, SyncBatch batch) {
        Instant received = Instant.now();
        Caller caller = Caller.of(requestDetails)
                .orElseThrow(() -> new AuthenticationException("A sync batch needs an authenticated user"));
        String sha256 = sha256(fhirContext.newJsonParser().encodeResourceToString(bundle));
        Optional<IdempotencyKeys.Earlier> earlier = keys.find(batch.key());
        if (earlier.isPresent()) {
            return replay(requestDetails, batch, caller, sha256, earlier.get());
        }
        conflicts.refuseIfAny(bundle, caller.siteIds());
        SyncBatchCommit.expect(requestDetails, new SyncBatchCommit.Pending(batch, bundle.copy(), caller, sha256, received));
        Bundle response;
        try {
            response = systemDao.transaction(requestDetails, bundle);
        } catch (RuntimeException failure) {
            // A copy of this batch committed first (unique key): answer as it was answered.
            Optional<IdempotencyKeys.Earlier> winner = awaitResponse(batch.key());
            if (winner.isPresent()) {
                return replay(requestDetails, batch, caller, sha256, winner.get());
            }
            throw failure;
        }
        keys.storeResponse(batch.key(), 200, fhirContext.newJsonParser().encodeResourceToString(response));
        return response;
    }

    /** The recorded answer, giving the batch that recorded it a moment to store HAPI's own. */
    private Optional<IdempotencyKeys.Earlier> awaitResponse(String key) {
        Optional<IdempotencyKeys.Earlier> earlier = keys.find(key);
        for (int wait = 0; wait < 20 && earlier.isPresent() && earlier.get().status() == IdempotencyKeys.REBUILT; wait++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            earlier = keys.find(key);
        }
        return earlier;
    }

    private Bundle replay(RequestDetails requestDetails, SyncBatch batch, Caller caller, String sha256,
            IdempotencyKeys.Earlier earlier) {
        if (!earlier.callerSubject().equals(caller.subject()) || !earlier.requestSha256().equals(sha256)) {
            String message = "Bundle.identifier: the idempotency key '" + batch.key() + "' was already used for a different"
                    + " Bundle; a changed batch needs a new key. Nothing in this Bundle was written.";
            OperationOutcome outcome = new OperationOutcome();
            outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(OperationOutcome.IssueType.BUSINESSRULE).setDiagnostics(message)
                    .addExpression("Bundle.identifier");
            throw new UnprocessableEntityException(message, outcome);
        }
        if (requestDetails instanceof ServletRequestDetails servlet && servlet.getServletResponse() != null) {
            servlet.getServletResponse().setHeader(REPLAYED_HEADER, "true");
        }
        return fhirContext.newJsonParser().parseResource(Bundle.class, earlier.responseBody());
    }

    private static String sha256(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
