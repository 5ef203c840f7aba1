package ml.santerurale.server.ratelimit;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers {@link RateLimits} on HAPI's interceptor service unless {@code srm.rate-limit.enabled} is false. */
@Configuration(proxyBeanMethods = false)
class RateLimitConfig {

    /** Distinct keys kept per tier: far above the pilot's users and devices, a few MB at most. */
    private static final long MAX_KEYS = 100_000;

    @Bean
    @ConditionalOnProperty(name = "srm.rate-limit.enabled", havingValue = "true", matchIfMissing = true)
    RateLimits rateLimits(RateLimitProperties properties, MeterRegistry meters, IInterceptorService interceptorService) {
        RateLimits limits = new RateLimits(
                new TokenBuckets(properties.address(), TimeMeter.SYSTEM_NANOTIME, MAX_KEYS),
                new TokenBuckets(properties.user(), TimeMeter.SYSTEM_NANOTIME, MAX_KEYS),
                new TokenBuckets(properties.device(), TimeMeter.SYSTEM_NANOTIME, MAX_KEYS),
                meters);
        interceptorService.registerInterceptor(limits);
        return limits;
    }
}
