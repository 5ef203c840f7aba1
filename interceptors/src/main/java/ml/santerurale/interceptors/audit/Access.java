package ml.santerurale.interceptors.audit;

import java.util.Set;
import ml.santerurale.interceptors.security.Caller;

/**
 * One access to record: what {@link AuditCapture} learnt from a request, before it is shaped
 * into an AuditEvent.
 *
 * @param interaction the interaction (the event's first subtype), null when HAPI had not chosen one
 * @param within {@code TRANSACTION} or {@code BATCH} for a Bundle entry, else null (second subtype)
 * @param caller the verified caller, null when the request carried no valid token
 * @param clientAddress the client's IP address, null when unknown
 * @param status the HTTP status answered (200 for writes seen at commit time)
 * @param failure why it failed, null on success
 * @param resources references ({@code Type/id}) of the resources the interaction touched
 * @param patients references ({@code Patient/id}) of the patients whose data it touched
 * @param query the search URL for searches and history, else null
 * @param site the site whose partition stores the event (its major may read it), null for the
 *     national trail (default partition, admin only)
 * @param requestId the request's id ({@code X-Request-ID}), shared by every event of one
 *     request; null when unknown
 */
record Access(Interaction interaction, Interaction within, Caller caller, String clientAddress, int status,
        String failure, Set<String> resources, Set<String> patients, String query, String site, String requestId) {}
