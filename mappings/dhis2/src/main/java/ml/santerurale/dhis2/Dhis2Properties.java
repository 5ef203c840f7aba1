package ml.santerurale.dhis2;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;

/**
 * {@code srm.dhis2.*}: where DHIS2 is and how to deliver to it. Export is off until
 * {@code baseUrl} is set ({@code SRM_DHIS2_BASE_URL}); dry runs work without it.
 *
 * @param auth the {@code Authorization} header value ({@code ApiToken d2pat_…} or {@code Basic …});
 *     never printed: {@link #toString()} masks it
 * @param idScheme how data sets, data elements and category option combos are named in the
 *     mapping ({@code CODE} or {@code UID}); org units are always uids (from the sites catalogue)
 * @param maxAttempts attempts of one export before it is {@code failed} (a later run sends it again)
 * @param firstRetryDelay delay before the second attempt, doubled at each further one up to {@code maxRetryDelay}
 * @param monthlyCron when the previous month's RMA is exported (UTC, Spring cron)
 * @param weeklyCron when the previous ISO week's report is exported (UTC, Spring cron)
 * @param lookBack how far back exported periods are watched for late data
 * @param lateDataInterval how often they are
 */
@ConfigurationProperties("srm.dhis2")
public record Dhis2Properties(String baseUrl, String auth, String datasetRma, String datasetWeekly, String idScheme,
        Resource mappingFile, Duration pollInterval, Duration connectTimeout, Duration responseTimeout, int maxAttempts,
        Duration firstRetryDelay, Duration maxRetryDelay, String monthlyCron, String weeklyCron, java.time.Period lookBack,
        Duration lateDataInterval) {

    public Dhis2Properties {
        idScheme = idScheme == null || idScheme.isBlank() ? "CODE" : idScheme.trim().toUpperCase();
        if (!idScheme.equals("CODE") && !idScheme.equals("UID")) {
            throw new IllegalArgumentException("srm.dhis2.id-scheme must be CODE or UID, not " + idScheme);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("srm.dhis2.max-attempts must be at least 1");
        }
    }

    public boolean enabled() {
        return baseUrl != null && !baseUrl.isBlank();
    }

    /** The delay after attempt {@code attempt} (1-based) failed. */
    Duration retryDelay(int attempt) {
        Duration delay = firstRetryDelay.multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
        return delay.compareTo(maxRetryDelay) > 0 ? maxRetryDelay : delay;
    }

    @Override
    public String toString() {
        return "Dhis2Properties[baseUrl=" + baseUrl + ", auth=" + (auth == null || auth.isBlank() ? "(none)" : "(set)")
                + ", datasetRma=" + datasetRma + ", datasetWeekly=" + datasetWeekly + ", idScheme=" + idScheme
                + ", maxAttempts=" + maxAttempts + "]";
    }
}
