package ml.santerurale.server.sync;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of the change feed starts: changes of transactions with ids in
 * [{@code from}, {@code upTo}) that come after ({@code afterTxid}, {@code afterSeq}), for a feed
 * whose first page the server issued at {@code issuedAtMillis}; {@code currentOnly} for a first
 * sync, which shows each record's current version only. {@code issuedAtMillis} and
 * {@code sinceIssuedMillis} name the database snapshots of this feed and of the one it continues
 * ({@link #NO_PREVIOUS}: none, {@link #LEGACY}: a cursor issued before snapshots were kept, whose
 * range alone decides). Opaque to clients (base64url).
 */
record FeedCursor(long from, long upTo, long afterTxid, long afterSeq, long issuedAtMillis, boolean currentOnly,
        long sinceIssuedMillis) {

    static final long NO_PREVIOUS = -1;
    static final long LEGACY = -2;

    /** The next page of the same feed, after the given change. */
    FeedCursor after(long txid, long seq) {
        return new FeedCursor(from, upTo, txid, seq, issuedAtMillis, currentOnly, sinceIssuedMillis);
    }

    String encode() {
        String plain = from + ":" + upTo + ":" + afterTxid + ":" + afterSeq + ":" + issuedAtMillis + ":" + (currentOnly ? 1 : 0)
                + ":" + sinceIssuedMillis;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    static FeedCursor decode(String token) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).split(":");
            FeedCursor cursor = new FeedCursor(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]),
                    Long.parseLong(parts[3]), Long.parseLong(parts[4]), parts.length >= 6 && "1".equals(parts[5]),
                    parts.length == 7 ? Long.parseLong(parts[6]) : LEGACY);
            if (parts.length < 5 || parts.length > 7 || cursor.from() > cursor.upTo() || cursor.afterTxid() > cursor.upTo()
                    || cursor.sinceIssuedMillis() < LEGACY) {
                throw new IllegalArgumentException("inconsistent");
            }
            return cursor;
        } catch (RuntimeException e) {
            throw new InvalidRequestException("_cursor '" + token + "' is not a cursor this server issued: follow the"
                    + " Bundle's next link as given, or start again from your last _since");
        }
    }
}
