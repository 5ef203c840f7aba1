package ml.santerurale.server.security;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import java.net.MalformedURLException;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.santerurale.interceptors.security.AccessTokenVerifier;
import ml.santerurale.interceptors.security.BearerTokenAuthentication;
import ml.santerurale.interceptors.security.TrustedIssuers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Bearer-token authentication on the FHIR endpoint, from {@link SecurityProperties}. */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    TrustedIssuers trustedIssuers(SecurityProperties properties) {
        Map<String, AccessTokenVerifier> verifiers = new LinkedHashMap<>();
        for (SecurityProperties.Issuer issuer : properties.issuers()) {
            try {
                verifiers.put(issuer.issuer().toString(), new AccessTokenVerifier(
                        issuer.issuer().toString(),
                        properties.audience(),
                        AccessTokenVerifier.remoteKeys(issuer.jwksUriOrDefault().toURL(),
                                properties.jwksCacheTtl(), properties.jwksMinRefreshInterval()),
                        properties.clockSkew()));
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw new IllegalStateException("srm.security: the JWKS URL of " + issuer.issuer() + " is not usable: "
                        + e.getMessage(), e);
            }
        }
        return new TrustedIssuers(verifiers, properties.verifiedTokenCacheTtl(), properties.verifiedTokenCacheSize(),
                java.time.Clock.systemUTC());
    }

    @Bean
    BearerTokenAuthentication bearerTokenAuthentication(TrustedIssuers issuers, SecurityProperties properties,
            IInterceptorService interceptorService) {
        BearerTokenAuthentication authentication = new BearerTokenAuthentication(issuers, properties.realm());
        interceptorService.registerInterceptor(authentication);
        return authentication;
    }
}
