package ml.santerurale.server.sites;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The pilot's sites as read from the versioned data file ({@code sites/mali-sites.json}):
 * regions, districts sanitaires and CSCOMs, each parent listed before its children.
 * Reading fails with a message naming the bad entry; a half-valid catalogue is never used.
 */
record SiteCatalog(String version, String sha256, List<Site> sites) {

    private static final Pattern CODE = Pattern.compile("[A-Z0-9-]{2,60}");

    enum Level {
        region, district, cscom;

        Level parentLevel() {
            return switch (this) {
                case region -> null;
                case district -> region;
                case cscom -> district;
            };
        }
    }

    record Site(String code, Level level, String name, String partOf, String dhis2OrgUnit,
            double latitude, double longitude, String nameSource, String coordinatesSource) {}

    record File(String version, String description, List<Site> sites) {}

    static SiteCatalog read(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        ObjectMapper mapper = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
        File file = mapper.readValue(bytes, File.class);
        if (file.version() == null || file.version().isBlank()) {
            throw new IllegalArgumentException("The sites file has no version");
        }
        if (file.sites() == null || file.sites().isEmpty()) {
            throw new IllegalArgumentException("The sites file lists no site");
        }
        validate(file.sites());
        return new SiteCatalog(file.version(), sha256(bytes), List.copyOf(file.sites()));
    }

    private static void validate(List<Site> sites) {
        Map<String, Site> seen = new HashMap<>();
        for (int i = 0; i < sites.size(); i++) {
            Site site = sites.get(i);
            String at = "sites[" + i + "]";
            if (site.code() == null || !CODE.matcher(site.code()).matches()) {
                throw new IllegalArgumentException(at + ": code '" + site.code() + "' must match " + CODE);
            }
            if (seen.containsKey(site.code())) {
                throw new IllegalArgumentException(at + ": code " + site.code() + " is listed twice");
            }
            if (site.level() == null || site.name() == null || site.name().isBlank()) {
                throw new IllegalArgumentException(at + " (" + site.code() + "): level and name are required");
            }
            Level expectedParent = site.level().parentLevel();
            if (expectedParent == null && site.partOf() != null) {
                throw new IllegalArgumentException(at + " (" + site.code() + "): a region is part of nothing");
            }
            if (expectedParent != null) {
                Site parent = site.partOf() == null ? null : seen.get(site.partOf());
                if (parent == null || parent.level() != expectedParent) {
                    throw new IllegalArgumentException(at + " (" + site.code() + "): partOf must name a "
                            + expectedParent + " listed earlier, got " + site.partOf());
                }
            }
            if (site.latitude() < 10.0 || site.latitude() > 25.1 || site.longitude() < -12.3 || site.longitude() > 4.3) {
                throw new IllegalArgumentException(at + " (" + site.code() + "): coordinates "
                        + site.latitude() + "," + site.longitude() + " are outside Mali");
            }
            seen.put(site.code(), site);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
