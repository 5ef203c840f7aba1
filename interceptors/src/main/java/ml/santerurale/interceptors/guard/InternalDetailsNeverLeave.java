package ml.santerurale.interceptors.guard;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the server's internals out of FHIR error answers. A failure from the database (a
 * constraint, a value PostgreSQL cannot store) or from a bug carries SQL, table names or Java
 * class names in its message, which HAPI would send as the OperationOutcome's diagnostics. Such
 * a failure is answered instead with a plain sentence and the request id (the {@code X-Request-ID}
 * header), and logged in full under that id: a 409 {@code conflict} when the database refused a
 * concurrent or duplicate write, a 400 {@code invalid} for a NUL character in a text (PostgreSQL
 * cannot store it), a 503 {@code transient} with {@code Retry-After} when the database could not be
 * reached or ran out of a resource (SQLState class 53: disk full, out of memory, too many
 * connections; the request's transaction was rolled back), else a 500 {@code exception}.
 *
 * <p>Client errors (4xx) that did not come from the database keep their messages: they are
 * written for clients. Does not guarantee: that such a message, written by HAPI or by us, never
 * names an internal; nor does it see errors the servlet container answers before HAPI runs
 * (those are the {@code errors} module's).
 */
@Interceptor
public final class InternalDetailsNeverLeave {

    private static final Logger log = LoggerFactory.getLogger(InternalDetailsNeverLeave.class);
    private static final Pattern DATABASE_WORDS = Pattern.compile(
            "(?i)(\\bsql\\b|sqlstate|insert into|delete from|update \\S+ set|select .* from|duplicate key|"
                    + "violates|could not execute|jdbc|hibernate|\\bHFJ_|psql)");
    private static final int MAX_CAUSES = 20;
    /** What HAPI's parser calls on its way: the JDK, commons-lang, Jackson, HAPI's model and utilities. */
    private static final Pattern PARSER_LIBRARIES = Pattern.compile(
            "(java|jdk|sun|org\\.apache\\.commons|com\\.fasterxml\\.jackson|ca\\.uhn\\.fhir\\.(context|util|model)|org\\.hl7\\.fhir)\\.");

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException hideInternals(RequestDetails requestDetails, Throwable failure) {
        boolean fromDatabase = fromDatabase(failure);
        boolean clientError = failure instanceof BaseServerResponseException known
                && known.getStatusCode() >= 400 && known.getStatusCode() < 500;
        boolean databaseAwayAlready = failure instanceof BaseServerResponseException known
                && known.getStatusCode() == 503;
        if ((clientError || databaseAwayAlready) && !fromDatabase) {
            return null;
        }
        String requestId = requestDetails == null ? null : requestDetails.getRequestId();
        String reference = requestId == null ? "" : " (request id " + requestId + ")";
        if (!fromDatabase && parserFailedOnInput(failure)) {
            log.warn("Answered 400: HAPI's parser failed on the request's content{}: {}", reference, rootOf(failure).toString());
            String message = "The request body could not be read as a FHIR resource: its structure stopped the parser"
                    + " (an empty property name or a text where an object belongs, for instance). Nothing of this request"
                    + " was written" + reference + ".";
            return new InvalidRequestException(message, outcome(OperationOutcome.IssueType.STRUCTURE, message));
        }
        if (databaseUnreachable(failure)) {
            log.error("Answered 503, no database connection{}: {}", reference, failure.toString(), failure);
            return databaseAway(reference);
        }
        if (databaseOutOfResources(failure)) {
            log.error("Answered 503, the database is out of resources{}: {}", reference, failure.toString(), failure);
            return databaseFull(reference);
        }
        log.error("Answered with a generic error{}: {}", reference, failure.toString(), failure);
        String said = messages(failure);
        if (said.contains("invalid byte sequence") || said.contains("0x00")) {
            String message = "A text in this request holds a NUL character (\\u0000), which cannot be stored;"
                    + " nothing of this request was written" + reference + ".";
            return new InvalidRequestException(message, outcome(OperationOutcome.IssueType.INVALID, message));
        }
        if (said.contains("duplicate key")) {
            String message = "This write collided with another one stored at the same moment and was not applied;"
                    + " nothing of this request was written. Send it again" + reference + ".";
            return new ResourceVersionConflictException(message, outcome(OperationOutcome.IssueType.CONFLICT, message));
        }
        String message = "The server failed to complete this request" + reference
                + ". The operators can find the cause in the server log under this request id.";
        InternalErrorException replacement = new InternalErrorException(message);
        replacement.setOperationOutcome(outcome(OperationOutcome.IssueType.EXCEPTION, message));
        return replacement;
    }

    /** Seconds a client is told to wait when the database is away. */
    public static final String RETRY_AFTER_SECONDS = "5";

    /**
     * A 503 {@code transient} with {@code Retry-After}: the database cannot be reached (stopped,
     * restarting, the network to it down); nothing of the request was written.
     */
    public static BaseServerResponseException databaseAway(String reference) {
        String message = "The database is unavailable for a moment; nothing of this request was written."
                + " Send it again in a few seconds" + reference + ".";
        return unavailable(message, RETRY_AFTER_SECONDS);
    }

    /** Seconds a client is told to wait when the database has run out of disk space or another resource. */
    public static final String FULL_RETRY_AFTER_SECONDS = "30";

    /**
     * A 503 {@code transient} with {@code Retry-After}: the database refused the write for want of
     * disk space (or memory, or connections); its transaction was rolled back, nothing was written.
     */
    static BaseServerResponseException databaseFull(String reference) {
        String message = "The server cannot store anything for a moment (its database is out of disk space or another"
                + " resource); nothing of this request was written. Send it again later" + reference + ".";
        return unavailable(message, FULL_RETRY_AFTER_SECONDS);
    }

    /**
     * A 503 {@code transient} with {@code Retry-After} and {@code message} as the OperationOutcome's
     * diagnostics: the shape of every "come back later" answer of the server.
     */
    public static BaseServerResponseException unavailable(String message, String retryAfterSeconds) {
        UnclassifiedServerFailureException unavailable = new UnclassifiedServerFailureException(503, message,
                outcome(OperationOutcome.IssueType.TRANSIENT, message));
        unavailable.addResponseHeader("Retry-After", retryAfterSeconds);
        return unavailable;
    }

    /** True when a cause is PostgreSQL's "insufficient resources" (SQLState class 53, e.g. 53100 disk_full). */
    static boolean databaseOutOfResources(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("53")) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when a cause says the database could not be reached or went away: a connection
     * failure (SQLState class 08), an administrator or crash shutdown (57P01-57P03), or a pool
     * that could not hand out a connection in time.
     */
    static boolean databaseUnreachable(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientConnectionException
                    || cause instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().matches("57P0[123]"))) {
                return true;
            }
            String type = cause.getClass().getName();
            if (type.equals("org.springframework.jdbc.CannotGetJdbcConnectionException")
                    || type.equals("org.springframework.transaction.CannotCreateTransactionException")
                    || type.equals("org.hibernate.exception.JDBCConnectionException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when HAPI's parser itself broke on its input: a cause that is not one of HAPI's answers,
     * thrown while a parse method of {@code ca.uhn.fhir.parser} ran (only HAPI's parser and the
     * libraries it calls between the throw and that frame). HAPI answers what it recognises as
     * malformed with its own 400 ({@code DataFormatException}); some input makes HAPI 8.8.0's parser
     * fail otherwise, each found by RequestBodyFuzzTest and a 500 until then: an empty JSON
     * property name ({@code StringIndexOutOfBoundsException}), a string where an entry's resource
     * belongs ({@code NullPointerException}). Does not guarantee: that such a failure came from the
     * request body rather than from content the server parses itself (written by HAPI's encoder,
     * which never produces either shape).
     */
    static boolean parserFailedOnInput(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            if (!(cause instanceof BaseServerResponseException) && thrownWhileParsing(cause.getStackTrace())) {
                return true;
            }
        }
        return false;
    }

    private static boolean thrownWhileParsing(StackTraceElement[] stack) {
        boolean parsing = false;
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (type.startsWith("ca.uhn.fhir.parser.")) {
                parsing |= frame.getMethodName().startsWith("parse") || frame.getMethodName().startsWith("doParse");
            } else if (!PARSER_LIBRARIES.matcher(type).lookingAt()) {
                return parsing;
            }
        }
        return parsing;
    }

    private static Throwable rootOf(Throwable failure) {
        Throwable root = failure;
        for (int depth = 0; root.getCause() != null && depth < MAX_CAUSES; depth++) {
            root = root.getCause();
        }
        return root;
    }

    /** True when a database exception is among the causes, or the messages read like SQL. */
    private static boolean fromDatabase(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            String type = cause.getClass().getName();
            if (cause instanceof java.sql.SQLException || type.startsWith("org.hibernate.")
                    || type.startsWith("org.springframework.dao.") || type.startsWith("jakarta.persistence.")
                    || (cause.getMessage() != null && DATABASE_WORDS.matcher(cause.getMessage()).find())) {
                return true;
            }
        }
        return false;
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            all.append(cause.getMessage()).append('\n');
        }
        return all.toString();
    }

    private static OperationOutcome outcome(OperationOutcome.IssueType code, String message) {
        return OperationOutcomes.error(code, message, null);
    }
}
