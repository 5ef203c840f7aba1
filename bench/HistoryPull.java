import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * One device's pull of the change feed as the PWA sends it: {@code GET _history?_since=<instant>&_count=<page>}
 * with {@code Accept-Encoding: gzip}, following {@code next} links to the end. Counts the entries,
 * the bytes on the wire (gzip) and the same pages uncompressed. Used by FoundationBenchmark (issue 17's
 * "_history?_since pull of 2,000 resources"); does not check the entries' content (SyncBenchmark does).
 */
final class HistoryPull {

    private static final Pattern NEXT = Pattern.compile("\"relation\"\\s*:\\s*\"next\"\\s*,\\s*\"url\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ENTRY = Pattern.compile("\"fullUrl\"\\s*:");

    /** What one pull measured. */
    record Figures(long millis, int pages, int entries, long wireBytes, long jsonBytes, String firstError) {}

    private HistoryPull() {}

    static Figures pull(HttpClient http, String fhirBase, String bearer, Instant since, int pageSize) throws InterruptedException {
        String url = fhirBase + "/_history?_since=" + URLEncoder.encode(since.toString(), StandardCharsets.UTF_8)
                + "&_count=" + pageSize;
        long started = System.nanoTime();
        int pages = 0;
        int entries = 0;
        long wire = 0;
        long json = 0;
        while (url != null && pages < 10_000) {
            HttpResponse<byte[]> page;
            try {
                page = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + bearer).header("Accept", "application/fhir+json")
                        .header("Accept-Encoding", "gzip").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                return new Figures(elapsed(started), pages, entries, wire, json, e.toString());
            }
            pages++;
            wire += page.body().length;
            byte[] body = page.headers().firstValue("Content-Encoding").filter("gzip"::equalsIgnoreCase).isPresent()
                    ? gunzip(page.body()) : page.body();
            json += body.length;
            String text = new String(body, StandardCharsets.UTF_8);
            if (page.statusCode() != 200) {
                return new Figures(elapsed(started), pages, entries, wire, json,
                        "HTTP " + page.statusCode() + ": " + text.substring(0, Math.min(300, text.length())));
            }
            Matcher entry = ENTRY.matcher(text);
            while (entry.find()) {
                entries++;
            }
            Matcher next = NEXT.matcher(text);
            url = next.find() ? next.group(1) : null;
        }
        return new Figures(elapsed(started), pages, entries, wire, json, null);
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static byte[] gunzip(byte[] gzipped) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("a page said gzip but was not: " + e, e);
        }
    }
}
