package ml.santerurale.server.fhir;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The FHIR endpoint's settings ({@code srm.fhir.*}). Invalid values stop the server at start.
 *
 * @param serverAddress public base URL written into paging links and locations; empty means
 *     "derive from the incoming request"
 * @param defaultPageSize search page size when a client sends no {@code _count}
 * @param maxPageSize largest {@code _count} honoured; larger requests are clamped
 * @param maxRequestBytes largest request body accepted (after gzip decoding)
 * @param luceneDirectory where Hibernate Search keeps its full-text index
 * @param trustForwardedHeaders derive links and {@code Location} from {@code X-Forwarded-Host},
 *     {@code X-Forwarded-Proto} and {@code X-Forwarded-Prefix} when no {@code serverAddress} is set;
 *     only behind a reverse proxy that overwrites them (else a client chooses the links it gets)
 * @param inlineSearchMax a search with at most this many matches runs in the request, without
 *     HAPI's persisted search ({@code InlineSearch}); 0 turns it off
 * @param inlinePagesTtl how long the later pages of an inline search stay available
 * @param inlinePagesMaxResources how many resources the kept pages of inline searches may hold in
 *     all (the oldest searches are forgotten first)
 */
@Validated
@ConfigurationProperties("srm.fhir")
public record FhirProperties(
        String serverAddress,
        @Min(1) @Max(1000) int defaultPageSize,
        @Min(1) @Max(1000) int maxPageSize,
        @Min(1024) long maxRequestBytes,
        @NotNull Path luceneDirectory,
        boolean trustForwardedHeaders,
        @Min(0) @Max(10_000) int inlineSearchMax,
        @NotNull Duration inlinePagesTtl,
        @Min(0) int inlinePagesMaxResources) {}
