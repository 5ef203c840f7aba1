package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the change feed's {@code _cursor} parameter, which a client sends back as it likes.
 *
 * <p>Invariants: {@link FeedCursor#decode} either answers a consistent cursor or refuses with a
 * 400 (InvalidRequestException); a cursor it accepts encodes to a token that decodes to the same
 * cursor, so a next link built from it leads where this one did.
 */
class FeedCursorFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void aCursorIsDecodedConsistentlyOrRefused(String token) {
        if (token == null) {
            return; // HAPI hands the provider no null parameter value
        }
        FeedCursor cursor;
        try {
            cursor = FeedCursor.decode(token);
        } catch (InvalidRequestException refused) {
            assertThat(refused.getStatusCode()).isEqualTo(400);
            return;
        }
        assertThat(cursor.from()).isLessThanOrEqualTo(cursor.upTo());
        assertThat(cursor.afterTxid()).isLessThanOrEqualTo(cursor.upTo());
        assertThat(FeedCursor.decode(cursor.encode())).isEqualTo(cursor);
    }
}
