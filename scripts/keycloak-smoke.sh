#!/usr/bin/env bash
# Smoke test of a running local Keycloak with the sante-mali realm and the demo users
# (scripts/keycloak.sh start --dev). curl + node only; all traffic to localhost.
#
# Checks: discovery document; password grant refused for pwa; client_credentials for
# dhis2-export (aud fhir-server, no clinical role); authorization code + PKCE S256 login of
# soignant.konobougou and medecin.district through the real login form (redirect to a random
# http://127.0.0.1:<port>/callback, nothing listens there), token claims (site_ids, realm roles,
# aud, iss, 15-min lifetime), offline refresh token and a refresh_token grant.
# Prints "N passed, N failed" and exits non-zero on any failure.
set -euo pipefail

PORT="${SRM_KEYCLOAK_PORT:-8180}"
BASE="http://localhost:$PORT"
REALM_URL="$BASE/realms/sante-mali"
OIDC="$REALM_URL/protocol/openid-connect"
PASSWORD="${SRM_DEMO_PASSWORD:-Demo-2026!}"
DHIS2_SECRET="${SRM_DHIS2_CLIENT_SECRET:-dev-only-dhis2-export-secret}"
CLINICAL_ROLES="soignant major medecin admin"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
ok() { echo "  ok   - $*"; passed=$((passed + 1)); }
ko() { echo "  FAIL - $*"; failed=$((failed + 1)); }
check() { # check "description" command...
  local what="$1"; shift
  if "$@"; then ok "$what"; else ko "$what"; fi
}

# jq-like helper: js EXPR < json   (the parsed document is `d`; prints the expression's value)
js() { node -e '
  const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const v = (0, eval)("(d) => (" + process.argv[1] + ")")(d);
  process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));' -- "$1"; }
# Payload of a JWT as JSON.
jwt_payload() { node -e '
  const t = process.argv[1].split(".")[1];
  process.stdout.write(Buffer.from(t, "base64url").toString("utf8"));' -- "$1"; }
b64url_sha256() { node -e '
  process.stdout.write(require("crypto").createHash("sha256").update(process.argv[1]).digest("base64url"));' -- "$1"; }
random_b64url() { node -e 'process.stdout.write(require("crypto").randomBytes(+process.argv[1]).toString("base64url"))' -- "$1"; }

echo "Keycloak smoke test against $REALM_URL"

# 1. Discovery.
code="$(curl -s -o "$WORK/wk.json" -w '%{http_code}' "$REALM_URL/.well-known/openid-configuration" || true)"
if [[ "$code" != 200 ]]; then
  ko "discovery document answers 200 (got $code) — is Keycloak started? scripts/keycloak.sh start --dev"
  echo "$passed passed, $failed failed"
  exit 1
fi
ok "discovery document answers 200"
check "issuer is $REALM_URL" test "$(js 'd.issuer' < "$WORK/wk.json")" = "$REALM_URL"
check "S256 is an advertised code challenge method" \
  test "$(js '(d.code_challenge_methods_supported||[]).includes("S256")' < "$WORK/wk.json")" = true

# 2. Password grant refused for pwa (directAccessGrantsEnabled false).
code="$(curl -s -o "$WORK/pw.json" -w '%{http_code}' "$OIDC/token" \
  -d grant_type=password -d client_id=pwa -d username=soignant.konobougou --data-urlencode "password=$PASSWORD")"
check "password grant refused for pwa (HTTP $code, $(js 'd.error' < "$WORK/pw.json"))" \
  test "$code" = 400 -a "$(js 'd.error' < "$WORK/pw.json")" = unauthorized_client

# 3. dhis2-export client credentials.
code="$(curl -s -o "$WORK/cc.json" -w '%{http_code}' "$OIDC/token" \
  -d grant_type=client_credentials -d client_id=dhis2-export --data-urlencode "client_secret=$DHIS2_SECRET")"
if [[ "$code" == 200 ]]; then
  ok "client_credentials token for dhis2-export"
  jwt_payload "$(js 'd.access_token' < "$WORK/cc.json")" > "$WORK/cc.payload"
  check "dhis2-export token aud includes fhir-server" \
    test "$(js '[].concat(d.aud||[]).includes("fhir-server")' < "$WORK/cc.payload")" = true
  roles="$(js '((d.realm_access||{}).roles||[]).join(" ")' < "$WORK/cc.payload")"
  clinical=""
  for r in $CLINICAL_ROLES; do [[ " $roles " == *" $r "* ]] && clinical+="$r "; done
  check "dhis2-export has no clinical realm role (roles: ${roles:-none})" test -z "$clinical"
  check "dhis2-export token has no site_ids" test "$(js '"site_ids" in d' < "$WORK/cc.payload")" = false
else
  ko "client_credentials token for dhis2-export (HTTP $code: $(cat "$WORK/cc.json"))"
fi

# 4. Refusals at the authorization endpoint: foreign redirect, missing or plain PKCE, template.
auth_probe() { # auth_probe CLIENT REDIRECT [extra curl -d args...] -> "HTTP_CODE REDIRECT_URL"
  local client="$1" redirect="$2"; shift 2
  curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -G "$OIDC/auth" -d "client_id=$client" \
    -d response_type=code --data-urlencode "redirect_uri=$redirect" -d scope=openid "$@"
}
S256_ARGS=(-d code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM -d code_challenge_method=S256)
r="$(auth_probe pwa http://attacker.invalid/callback "${S256_ARGS[@]}")"
check "pwa refuses an unregistered redirect_uri ($r)" test "${r%% *}" = 400
r="$(auth_probe pwa http://127.0.0.1:4711/callback)"
check "pwa refuses a request without code_challenge" test "${r#*error=invalid_request}" != "$r"
r="$(auth_probe pwa http://127.0.0.1:4711/callback -d code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM -d code_challenge_method=plain)"
check "pwa refuses code_challenge_method=plain" test "${r#*error=invalid_request}" != "$r"
r="$(auth_probe smart-app-template http://127.0.0.1:4711/callback "${S256_ARGS[@]}")"
check "smart-app-template is disabled ($r)" test "${r%% *}" = 400

# 5. Authorization code + PKCE S256 through the login form.
# login USER -> writes $WORK/USER.tokens.json; returns non-zero on failure.
login() {
  local user="$1" jar="$WORK/$1.cookies" verifier challenge state redirect html action loc code
  verifier="$(random_b64url 48)"
  challenge="$(b64url_sha256 "$verifier")"
  state="$(random_b64url 12)"
  # Any port: Keycloak ignores the port of a loopback-IP redirect URI (RFC 8252 7.3).
  redirect="http://127.0.0.1:$((20000 + RANDOM % 40000))/callback"
  html="$(curl -s -c "$jar" -b "$jar" -G "$OIDC/auth" \
    -d client_id=pwa -d response_type=code --data-urlencode "redirect_uri=$redirect" \
    --data-urlencode "scope=openid offline_access" -d "state=$state" \
    -d "code_challenge=$challenge" -d code_challenge_method=S256)"
  action="$(printf '%s' "$html" | node -e '
    const h = require("fs").readFileSync(0, "utf8");
    const m = h.match(/<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/) || h.match(/<form[^>]*action="([^"]+)"/);
    if (!m) process.exit(1);
    process.stdout.write(m[1].replace(/&amp;/g, "&"));')" || { echo "    no login form for $user"; return 1; }
  loc="$(curl -s -o /dev/null -D - -c "$jar" -b "$jar" "$action" \
    --data-urlencode "username=$user" --data-urlencode "password=$PASSWORD" -d credentialId= \
    | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')"
  case "$loc" in
    "$redirect"?*) ;;
    *) echo "    login of $user did not redirect to $redirect (Location: ${loc:-none})"; return 1 ;;
  esac
  [[ "$loc" == *"state=$state"* ]] || { echo "    state not echoed"; return 1; }
  code="$(node -e 'process.stdout.write(new URL(process.argv[1]).searchParams.get("code") || "")' -- "$loc")"
  [[ -n "$code" ]] || { echo "    no code in $loc"; return 1; }
  # A wrong verifier must be refused (PKCE enforced).
  local bad
  bad="$(curl -s -o /dev/null -w '%{http_code}' "$OIDC/token" -d grant_type=authorization_code -d client_id=pwa \
    --data-urlencode "redirect_uri=$redirect" --data-urlencode "code=$code" \
    --data-urlencode "code_verifier=$(random_b64url 48)")"
  [[ "$bad" == 400 ]] || { echo "    wrong code_verifier answered $bad"; return 1; }
  # The failed attempt above burns the code in Keycloak; log in again (SSO cookie: no form now).
  loc="$(curl -s -o /dev/null -D - -c "$jar" -b "$jar" -G "$OIDC/auth" \
    -d client_id=pwa -d response_type=code --data-urlencode "redirect_uri=$redirect" \
    --data-urlencode "scope=openid offline_access" -d "state=$state" \
    -d "code_challenge=$challenge" -d code_challenge_method=S256 \
    | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')"
  code="$(node -e 'process.stdout.write(new URL(process.argv[1]).searchParams.get("code") || "")' -- "$loc")"
  [[ -n "$code" ]] || { echo "    no code on SSO re-authorisation ($loc)"; return 1; }
  curl -s -o "$WORK/$user.tokens.json" -w '%{http_code}' "$OIDC/token" \
    -d grant_type=authorization_code -d client_id=pwa \
    --data-urlencode "redirect_uri=$redirect" --data-urlencode "code=$code" \
    --data-urlencode "code_verifier=$verifier" --data-urlencode "scope=openid offline_access" \
    > "$WORK/$user.code"
  [[ "$(cat "$WORK/$user.code")" == 200 ]] || { echo "    token exchange: $(cat "$WORK/$user.tokens.json")"; return 1; }
}

for user in soignant.konobougou medecin.district; do
  if ! login "$user"; then
    ko "authorization code + PKCE S256 login of $user"
    continue
  fi
  ok "authorization code + PKCE S256 login of $user (wrong code_verifier refused)"
  tok="$WORK/$user.tokens.json"
  jwt_payload "$(js 'd.access_token' < "$tok")" > "$WORK/$user.at"
  echo "    access token of $user: $(js '({iss:d.iss,aud:d.aud,azp:d.azp,exp_minus_iat:d.exp-d.iat,site_ids:d.site_ids,roles:(d.realm_access||{}).roles,preferred_username:d.preferred_username,scope:d.scope})' < "$WORK/$user.at")"
  case "$user" in
    soignant.konobougou) want_sites='["CSCOM-KONOBOUGOU"]'; want_role=soignant ;;
    medecin.district) want_sites='["CSCOM-KONOBOUGOU","CSCOM-DJELI"]'; want_role=medecin ;;
  esac
  check "$user: site_ids = $want_sites" \
    test "$(js 'JSON.stringify([...(d.site_ids||[])].sort())' < "$WORK/$user.at")" = "$(echo "$want_sites" | js 'JSON.stringify([...d].sort())')"
  check "$user: realm_access.roles contains $want_role" \
    test "$(js "((d.realm_access||{}).roles||[]).includes('$want_role')" < "$WORK/$user.at")" = true
  check "$user: aud includes fhir-server" test "$(js '[].concat(d.aud||[]).includes("fhir-server")' < "$WORK/$user.at")" = true
  check "$user: iss = $REALM_URL" test "$(js 'd.iss' < "$WORK/$user.at")" = "$REALM_URL"
  check "$user: exp - iat = 900" test "$(js 'd.exp - d.iat' < "$WORK/$user.at")" = 900
  check "$user: id token has site_ids too" \
    test "$(jwt_payload "$(js 'd.id_token' < "$tok")" | js 'Array.isArray(d.site_ids)')" = true
  jwt_payload "$(js 'd.refresh_token' < "$tok")" > "$WORK/$user.rt"
  check "$user: refresh token is an Offline token (typ $(js 'd.typ' < "$WORK/$user.rt"))" \
    test "$(js 'd.typ' < "$WORK/$user.rt")" = Offline
  code="$(curl -s -o "$WORK/$user.refreshed.json" -w '%{http_code}' "$OIDC/token" \
    -d grant_type=refresh_token -d client_id=pwa --data-urlencode "refresh_token=$(js 'd.refresh_token' < "$tok")")"
  check "$user: refresh_token grant with the offline token (HTTP $code)" \
    test "$code" = 200 -a "$(jwt_payload "$(js 'd.access_token' < "$WORK/$user.refreshed.json" 2>/dev/null || echo x.e30.x)" | js 'JSON.stringify(d.site_ids||null)')" != null
done

echo "$passed passed, $failed failed"
[[ "$failed" == 0 ]]
