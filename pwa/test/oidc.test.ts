import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizationRequest, SessionExpiredError, signInServerAnswers, TokenKeeper } from '../src/lib/auth/oidc';

const config = { issuer: 'http://localhost:8180/realms/sante-mali', clientId: 'pwa', fhirBase: '/fhir' };

describe('sign-in (authorization code + PKCE S256)', () => {
  it('asks for a code with an S256 challenge of a fresh verifier and offline access', async () => {
    const r = await authorizationRequest(config, 'http://localhost:8080/');
    const url = new URL(r.url);
    expect(url.origin + url.pathname).toBe('http://localhost:8180/realms/sante-mali/protocol/openid-connect/auth');
    const p = url.searchParams;
    expect(p.get('client_id')).toBe('pwa');
    expect(p.get('response_type')).toBe('code');
    expect(p.get('scope')).toBe('openid offline_access');
    expect(p.get('redirect_uri')).toBe('http://localhost:8080/');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toBe(createHash('sha256').update(r.verifier).digest('base64url'));
    expect(p.get('state')).toBe(r.state);
    expect(r.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await authorizationRequest(config, 'x')).verifier).not.toBe(r.verifier);
  });
});

describe('sign-in server check', () => {
  it('says the sign-in server answers when its discovery document gets any answer', async () => {
    const asked: string[] = [];
    const answering = (async (url: string) => {
      asked.push(url);
      return new Response(null, { status: 200 });
    }) as unknown as typeof fetch;
    expect(await signInServerAnswers(config, answering)).toBe(true);
    expect(asked).toEqual(['http://localhost:8180/realms/sante-mali/.well-known/openid-configuration']);
  });

  it('says it does not when the request fails or hangs past the timeout', async () => {
    const refused = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    expect(await signInServerAnswers(config, refused)).toBe(false);
    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as unknown as typeof fetch;
    const t0 = Date.now();
    expect(await signInServerAnswers(config, hanging, 200)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('TokenKeeper', () => {
  it('refreshes a minute before expiry and keeps the rotated refresh token', async () => {
    const clock = { t: 0 };
    const calls: URLSearchParams[] = [];
    const persisted: string[] = [];
    let n = 0;
    const fetchFn = (async (_url: string, init: RequestInit) => {
      calls.push(new URLSearchParams(String(init.body)));
      n++;
      return Response.json({ access_token: `a${n}`, expires_in: 300, refresh_token: `r${n}` });
    }) as unknown as typeof fetch;
    const keeper = new TokenKeeper(config, 'r0', async (rt) => void persisted.push(rt), fetchFn, () => clock.t);
    expect(await keeper.token()).toBe('a1');
    expect(calls[0].get('grant_type')).toBe('refresh_token');
    expect(calls[0].get('refresh_token')).toBe('r0');
    clock.t = 200_000;
    expect(await keeper.token()).toBe('a1');
    clock.t = 241_000;
    expect(await keeper.token()).toBe('a2');
    expect(calls[1].get('refresh_token')).toBe('r1');
    expect(persisted).toEqual(['r1', 'r2']);
  });

  it('says the session is over when the realm refuses the refresh token', async () => {
    const fetchFn = (async () => Response.json({ error: 'invalid_grant' }, { status: 400 })) as unknown as typeof fetch;
    const keeper = new TokenKeeper(config, 'old', async () => undefined, fetchFn);
    await expect(keeper.token()).rejects.toBeInstanceOf(SessionExpiredError);
  });
});
