package ml.santerurale.interceptors.security;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.List;

/**
 * The signing keys of a realm, fetched from its JWKS URL: cached for {@code cacheTtl}, fetched
 * again at most once per {@code minRefreshInterval} (an unknown {@code kid} asks for a refresh),
 * and kept when a fetch fails, so keys already known keep verifying tokens while the sign-in
 * server is away. It also remembers whether the last fetch reached the sign-in server, so that a
 * token needing a key no one could fetch is refused as such rather than as an unknown key.
 *
 * <p>A fetch gives up after {@value #CONNECT_TIMEOUT_MS} ms to connect and {@value #READ_TIMEOUT_MS} ms
 * to read: a hung sign-in server (accepting connections, answering nothing) costs a request that
 * needs a new key about two seconds, never more. Does not guarantee that a key revoked at the
 * realm stops working before the cached set expires ({@code cacheTtl}).
 */
public final class RealmKeys implements JWKSource<SecurityContext> {

    static final int CONNECT_TIMEOUT_MS = 1000;
    static final int READ_TIMEOUT_MS = 1000;
    private static final int SIZE_LIMIT_BYTES = 256 * 1024;

    private final JWKSource<SecurityContext> keys;
    private volatile boolean lastFetchFailed;

    public RealmKeys(URL jwksUrl, Duration cacheTtl, Duration minRefreshInterval) {
        URLBasedJWKSetSource<SecurityContext> remote = new URLBasedJWKSetSource<>(jwksUrl,
                new DefaultResourceRetriever(CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS, SIZE_LIMIT_BYTES));
        JWKSetSource<SecurityContext> watched = new JWKSetSource<>() {
            @Override
            public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refresh, long now, SecurityContext context)
                    throws KeySourceException {
                try {
                    JWKSet set = remote.getJWKSet(refresh, now, context);
                    lastFetchFailed = false;
                    return set;
                } catch (KeySourceException | RuntimeException e) {
                    lastFetchFailed = true;
                    throw e;
                }
            }

            @Override
            public void close() throws IOException {
                remote.close();
            }
        };
        keys = JWKSourceBuilder.create(watched)
                .cache(cacheTtl.toMillis(), JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
                .rateLimited(minRefreshInterval.toMillis())
                .refreshAheadCache(false)
                .outageTolerantForever()
                .retrying(false)
                .build();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        return keys.get(selector, context);
    }

    /** Whether the last attempt to fetch the keys failed (the sign-in server did not answer with them). */
    boolean unreachable() {
        return lastFetchFailed;
    }
}
