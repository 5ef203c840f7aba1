package ml.santerurale.server.sync;

/**
 * The database session name ({@code application_name}) that marks a transaction writing
 * AuditEvents and nothing else. The change feed never serves AuditEvents, so its horizon does
 * not wait for such a transaction ({@link ChangeFeed}); the audit drainer sets it with
 * {@code set local}, so it ends with the transaction.
 *
 * <p>Does not guarantee anything when a transaction so named writes other resources: their
 * versions could then slip behind a feed's cursor. Only AuditEvent-only writers may use it.
 */
public final class AuditOnlySessions {

    public static final String NAME = "srm-audit-only";

    private AuditOnlySessions() {}
}
