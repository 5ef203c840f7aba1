package ml.santerurale.server.support;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.CookieStore;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without a browser, for logins through Keycloak's forms (realm {@code sante-mali},
 * demo users): java.net.http with a cookie jar, redirects not followed, so a test reads the code
 * from the {@code Location} of the last answer (the redirect URI need not listen). One instance
 * is one browser session (its SSO cookie); the static helpers build forms and read answers.
 */
public final class KeycloakBrowser {

    /** Password of every demo user ({@code keycloak-realm/dev}, development and tests only). */
    public static final String DEMO_PASSWORD = "Demo-2026!";

    private static final Pattern LOGIN_FORM = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");
    private static final Pattern ANY_FORM = Pattern.compile("<form[^>]*action=\"([^\"]+)\"");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A PKCE S256 pair. */
    public record Pkce(String verifier, String challenge) {

        public static Pkce s256() {
            String verifier = randomBase64Url(48);
            return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier)));
        }
    }

    private final HttpClient client = HttpClient.newBuilder()
            .cookieHandler(new CookieManager(new LoopbackBrowserCookies(), CookiePolicy.ACCEPT_ALL))
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    public HttpResponse<String> get(String url) {
        return call(client, HttpRequest.newBuilder(URI.create(url)).GET());
    }

    public HttpResponse<String> post(String url, Map<String, String> fields) {
        return call(client, HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields))));
    }

    /**
     * Opens the authorization URL, expects Keycloak's login page and submits it for a demo user;
     * returns Keycloak's answer (a redirect to the app with a code, or a next page such as the
     * SMART patient picker).
     */
    public HttpResponse<String> logIn(String authorizeUrl, String username) {
        HttpResponse<String> page = get(authorizeUrl);
        if (page.statusCode() != 200) {
            throw new AssertionError("login page: " + page.statusCode() + " " + page.body());
        }
        Matcher form = LOGIN_FORM.matcher(page.body());
        String action = form.find() ? htmlUnescape(form.group(1)) : formAction(page.body(), null);
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("username", username);
        credentials.put("password", DEMO_PASSWORD);
        credentials.put("credentialId", "");
        return post(action, credentials);
    }

    /**
     * The PWA's sign-in as a browser does it: authorization code + PKCE S256 through Keycloak's
     * login form (client {@code pwa}, scope {@code openid offline_access}), then the code
     * exchange. Returns Keycloak's token response.
     */
    public Map<String, Object> pwaLogin(TestKeycloak keycloak, String username) {
        Pkce pkce = Pkce.s256();
        String state = randomBase64Url(12);
        String redirectUri = loopbackRedirectUri();
        Map<String, String> authorize = pwaAuthorizeRequest(redirectUri, "openid offline_access", state);
        authorize.put("code_challenge", pkce.challenge());
        authorize.put("code_challenge_method", "S256");
        HttpResponse<String> submitted = logIn(keycloak.oidcEndpoints() + "/auth?" + form(authorize), username);
        String location = submitted.headers().firstValue("Location").orElse("");
        if (submitted.statusCode() != 302 || !location.startsWith(redirectUri + "?")) {
            throw new AssertionError("login of " + username + ": " + submitted.statusCode() + " " + location + " " + submitted.body());
        }
        Map<String, String> answer = query(URI.create(location).getRawQuery());
        if (!state.equals(answer.get("state")) || !answer.containsKey("code")) {
            throw new AssertionError("login of " + username + " answered " + answer);
        }
        Map<String, String> exchange = new LinkedHashMap<>();
        exchange.put("grant_type", "authorization_code");
        exchange.put("client_id", "pwa");
        exchange.put("redirect_uri", redirectUri);
        exchange.put("code", answer.get("code"));
        exchange.put("code_verifier", pkce.verifier());
        HttpResponse<String> token = post(keycloak.oidcEndpoints() + "/token", exchange);
        if (token.statusCode() != 200) {
            throw new AssertionError("code exchange: " + token.statusCode() + " " + token.body());
        }
        try {
            return JSONObjectUtils.parse(token.body());
        } catch (java.text.ParseException e) {
            throw new AssertionError("token response: " + token.body(), e);
        }
    }

    /** The PWA's authorization request (code flow), without PKCE: the caller adds the challenge. */
    public static Map<String, String> pwaAuthorizeRequest(String redirectUri, String scope, String state) {
        Map<String, String> authorize = new LinkedHashMap<>();
        authorize.put("client_id", "pwa");
        authorize.put("response_type", "code");
        authorize.put("redirect_uri", redirectUri);
        authorize.put("scope", scope);
        authorize.put("state", state);
        return authorize;
    }

    /** The action of the form with this id (any form when null) in a page, as a browser reads it. */
    public static String formAction(String html, String formId) {
        Matcher form = formId == null ? ANY_FORM.matcher(html)
                : Pattern.compile("<form[^>]*id=\"" + Pattern.quote(formId) + "\"[^>]*action=\"([^\"]+)\"").matcher(html);
        if (!form.find()) {
            throw new AssertionError("no form " + (formId == null ? "" : formId + " ") + "in " + html);
        }
        return htmlUnescape(form.group(1));
    }

    /** Keycloak ignores the port of a loopback-IP redirect URI (RFC 8252 §7.3): any port, nothing listens. */
    public static String loopbackRedirectUri() {
        return "http://127.0.0.1:" + (20000 + RANDOM.nextInt(40000)) + "/callback";
    }

    /**
     * Keycloak's login cookies are {@code Secure; SameSite=None} ({@code Version=1}). Browsers and
     * curl treat {@code http://localhost} as a secure context and send them back as plain
     * {@code name=value}; java.net's cookie manager would drop them over HTTP ("restart login
     * cookie not found") and send RFC 2965 {@code $Version} syntax. This store does what a browser
     * does, for loopback hosts only.
     */
    private static final class LoopbackBrowserCookies implements CookieStore {

        private final CookieStore cookies = new CookieManager().getCookieStore();

        @Override
        public void add(URI uri, HttpCookie cookie) {
            String host = uri == null ? null : uri.getHost();
            if ("localhost".equals(host) || "127.0.0.1".equals(host)) {
                cookie.setSecure(false);
            }
            cookie.setVersion(0);
            cookies.add(uri, cookie);
        }

        @Override
        public List<HttpCookie> get(URI uri) {
            return cookies.get(uri);
        }

        @Override
        public List<HttpCookie> getCookies() {
            return cookies.getCookies();
        }

        @Override
        public List<URI> getURIs() {
            return cookies.getURIs();
        }

        @Override
        public boolean remove(URI uri, HttpCookie cookie) {
            return cookies.remove(uri, cookie);
        }

        @Override
        public boolean removeAll() {
            return cookies.removeAll();
        }
    }

    public static HttpResponse<String> call(HttpClient client, HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    public static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                out.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** The form's action attribute as the browser would read it ({@code &amp;} and numeric entities). */
    private static String htmlUnescape(String attribute) {
        Matcher numeric = Pattern.compile("&#(x?)([0-9a-fA-F]+);").matcher(attribute);
        StringBuilder out = new StringBuilder();
        while (numeric.find()) {
            int codePoint = Integer.parseInt(numeric.group(2), numeric.group(1).isEmpty() ? 10 : 16);
            numeric.appendReplacement(out, Matcher.quoteReplacement(Character.toString(codePoint)));
        }
        numeric.appendTail(out);
        return out.toString().replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    public static String randomBase64Url(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static byte[] sha256(String verifier) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JWTClaimsSet claims(String jwt) {
        try {
            return JWTParser.parse(jwt).getJWTClaimsSet();
        } catch (ParseException e) {
            throw new AssertionError("Not a JWT: " + jwt, e);
        }
    }
}
