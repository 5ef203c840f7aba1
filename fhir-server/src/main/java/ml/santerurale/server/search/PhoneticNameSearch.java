package ml.santerurale.server.search;

import ca.uhn.fhir.context.phonetic.PhoneticEncoderEnum;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes the standard {@code Patient?phonetic=} parameter match names of Mali by sound: HAPI
 * indexes and queries every search parameter named {@code phonetic} through the registry's
 * phonetic encoder, here Double Metaphone, so {@code kulibali} finds Coulibaly and Koulibaly.
 * (Soundex would not: it keeps the first letter, C414 against K414.)
 *
 * <p>Set when the registry is built, before any resource is indexed. Does not reindex patients
 * stored under another encoder: after changing it, run HAPI's {@code $reindex}.
 */
@Component
class PhoneticNameSearch {

    static final PhoneticEncoderEnum ENCODER = PhoneticEncoderEnum.DOUBLE_METAPHONE;

    private static final Logger log = LoggerFactory.getLogger(PhoneticNameSearch.class);

    PhoneticNameSearch(ISearchParamRegistry searchParamRegistry) {
        searchParamRegistry.setPhoneticEncoder(ENCODER.getPhoneticEncoder());
        log.info("Patient?phonetic= matches names by {}", ENCODER);
    }
}
