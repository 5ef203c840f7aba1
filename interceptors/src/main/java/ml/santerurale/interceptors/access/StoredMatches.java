package ml.santerurale.interceptors.access;

import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import java.util.List;
import java.util.Optional;

/**
 * What storage says of the matches a search or read is about to hand out — each one's type and
 * partition — without loading them, so that {@link SitePartitioning}'s backstop need not load and
 * parse every match of a search pass only to learn where it lives (HAPI then loads the page again
 * for the response).
 *
 * <p>It decides nothing: a match it describes is still checked against the caller's partitions and
 * role; a match it cannot describe, or any answer it cannot give, makes the backstop load the
 * resources as before.
 */
public interface StoredMatches {

    /** A match: its resource type and the id of its partition (null: the default partition). */
    record Match(String type, Integer partition) {}

    /** Nothing is known without loading. */
    StoredMatches UNKNOWN = details -> Optional.empty();

    /**
     * Each match of {@code details}, in order, or empty when any of them cannot be described from
     * storage without loading it.
     */
    Optional<List<Match>> of(IPreResourceAccessDetails details);
}
