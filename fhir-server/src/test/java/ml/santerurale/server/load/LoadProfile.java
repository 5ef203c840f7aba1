package ml.santerurale.server.load;

import java.time.Duration;

/**
 * What the simulated sites do per hour, and for how long: the specification's peak is 10
 * consultations an hour per site, each pushed as one sync batch (docs/SYNC.md); devices pull
 * their change feed and clinicians search and read patients. {@link #multiplier} scales every
 * rate at once (10 = ten times the peak).
 *
 * <p>The pull, search and read rates are this drill's assumptions, not the specification's: it
 * names only the consultations. A site has 2 or 3 devices (2.5 on average).
 */
public record LoadProfile(
        int sites,
        double multiplier,
        Duration duration,
        double consultationsPerSiteHour,
        double pullsPerDeviceHour,
        double searchesPerSiteHour,
        double readsPerSiteHour) {

    /** The specification's peak for {@code sites} sites: 10 consultations an hour each. */
    public static LoadProfile peak(int sites, Duration duration) {
        return new LoadProfile(sites, 1, duration, 10, 12, 20, 20);
    }

    public LoadProfile times(double factor) {
        return new LoadProfile(sites, factor, duration, consultationsPerSiteHour, pullsPerDeviceHour,
                searchesPerSiteHour, readsPerSiteHour);
    }

    public LoadProfile lasting(Duration newDuration) {
        return new LoadProfile(sites, multiplier, newDuration, consultationsPerSiteHour, pullsPerDeviceHour,
                searchesPerSiteHour, readsPerSiteHour);
    }

    /** Devices of site number {@code index}: 2 or 3, alternately. */
    public static int devicesOf(int index) {
        return 2 + index % 2;
    }

    /** Arrivals per second of one interaction over all sites. */
    double perSecond(Interaction interaction, int devices) {
        double perHour = switch (interaction) {
            case PUSH -> consultationsPerSiteHour * sites;
            case PULL -> pullsPerDeviceHour * devices;
            case SEARCH -> searchesPerSiteHour * sites;
            case READ -> readsPerSiteHour * sites;
        };
        return perHour * multiplier / 3600.0;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d sites at %s x peak for %d s", sites,
                multiplier == Math.rint(multiplier) ? Long.toString((long) multiplier) : Double.toString(multiplier),
                duration.toSeconds());
    }
}
