// A real OpenID provider for the tests: the certified `oidc-provider` package (installed by
// `scripts/install-test-tools` into $SAMENLEVEN_NODE_DIR, default ~/.cache/samenleven/node), with
// test users that carry the claims of the Flemish government's ACM/IDM, one client for
// Samenleven, a plain login page of its own and a small control interface the tests use to
// misbehave on purpose (never part of a real provider):
//
//   POST /__test/next-id-token {"mode": M}  the next answer of the token endpoint carries an ID
//       token changed as M says: "wrong-audience", "expired", "expired-within-skew",
//       "wrong-nonce", "wrong-issuer", "tampered" (a claim changed after signing),
//       "unknown-key" (signed with a key the provider never published), "unsigned" (alg none),
//       "replay" (the ID token of the previous login instead of this one's);
//   POST /__test/rotate                     a new signing key; the published key set holds the
//       new key first and the old one after it;
//   POST /__test/accounts/{id} {claims}     replaces claims of a test user (null removes one).
//
// Started by the tests (`tests/oidc/provider.rs`) as `node tests/oidc/provider.mjs` with
// OIDC_TEST_REDIRECT_URIS and OIDC_TEST_POST_LOGOUT_URIS (comma-separated). It listens on a
// free port of 127.0.0.1 and prints one line `{"issuer": "http://127.0.0.1:PORT"}` when ready.

import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';

const nodeDir = process.env.SAMENLEVEN_NODE_DIR || join(homedir(), '.cache/samenleven/node');
const requireFromTools = createRequire(join(nodeDir, 'package.json'));
const load = async (name) => import(pathToFileURL(requireFromTools.resolve(name)).href);
const { default: Provider } = await load('oidc-provider');
const jose = await load('jose');

const ROLE_CLAIM = 'abb_subsidiepunt_rol_2d';
// Fictitious organisation codes of the tests (the tests give Antwerpen and a partner these).
const ABB = 'OVO990001';
const ANTWERPEN = 'OVO990002';

/** The test users by login name; `sub` is the ACM account id (`vo_id`). */
const accounts = {
  antwerpen: {
    vo_id: 'a1b2c3d4-0000-4000-8000-000000000001',
    given_name: 'Els',
    family_name: 'Verbeke',
    vo_email: 'antwerpen@demo.samenleven.test',
    vo_orgcode: ANTWERPEN,
    rrn: '00000000097',
    [ROLE_CLAIM]: [`SamenlevenGebruiker:${ANTWERPEN}`, `AnderPortaalGebruiker:${ANTWERPEN}`],
  },
  beoordelaar: {
    vo_id: 'a1b2c3d4-0000-4000-8000-000000000002',
    given_name: 'Bram',
    family_name: 'Claes',
    vo_email: 'bram.claes@abb.test',
    vo_orgcode: ABB,
    rrn: '00000000196',
    [ROLE_CLAIM]: `SamenlevenBeoordelaar:${ABB}`,
  },
  beheerder: {
    vo_id: 'a1b2c3d4-0000-4000-8000-000000000003',
    given_name: 'Ans',
    family_name: 'Peeters',
    vo_email: 'ans.peeters@abb.test',
    vo_orgcode: ABB,
    rrn: '00000000295',
    [ROLE_CLAIM]: [`SamenlevenBeoordelaar:${ABB}`, `SamenlevenBeheerder:${ABB}`],
  },
  onbekend: {
    vo_id: 'a1b2c3d4-0000-4000-8000-000000000004',
    given_name: 'Olaf',
    family_name: 'Onbekend',
    vo_email: 'olaf@elders.test',
    vo_orgcode: 'OVO990099',
    rrn: '00000000394',
    [ROLE_CLAIM]: 'SamenlevenGebruiker:OVO990099',
  },
  zonderrol: {
    vo_id: 'a1b2c3d4-0000-4000-8000-000000000005',
    given_name: 'Zoë',
    family_name: 'Zonder',
    vo_email: 'zoe.zonder@antwerpen.test',
    vo_orgcode: ANTWERPEN,
    rrn: '00000000493',
    [ROLE_CLAIM]: [`AnderPortaalGebruiker:${ANTWERPEN}`],
  },
  tweede: {
    // The same e-mail address as `antwerpen`, another ACM account.
    vo_id: 'a1b2c3d4-0000-4000-8000-000000000006',
    given_name: 'Els',
    family_name: 'Verbeke',
    vo_email: 'antwerpen@demo.samenleven.test',
    vo_orgcode: ANTWERPEN,
    rrn: '00000000592',
    [ROLE_CLAIM]: `SamenlevenGebruiker:${ANTWERPEN}`,
  },
};

const SCOPES = ['openid', 'profile', 'vo', 'rrn', 'abb_subsidiepunt'];
const CLAIMS = {
  openid: ['sub'],
  profile: ['given_name', 'family_name'],
  vo: ['vo_id', 'vo_email', 'vo_orgcode'],
  rrn: ['rrn'],
  abb_subsidiepunt: [ROLE_CLAIM],
};

const list = (name) => (process.env[name] || '').split(',').map((s) => s.trim()).filter(Boolean);

async function newKey() {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { ...jwk, kid: `sleutel-${randomUUID()}`, alg: 'RS256', use: 'sig' };
}

let keys = [await newKey()];
const strangerKey = await newKey();
let armed = null;
let previousIdToken = null;

async function mangle(idToken, mode) {
  const [header, payload] = idToken.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')));
  const now = Math.floor(Date.now() / 1000);
  const sign = async (claims, key) => {
    const privateKey = await jose.importJWK(key, 'RS256');
    return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: header.typ, kid: key.kid }).sign(privateKey);
  };
  switch (mode) {
    case 'wrong-audience': return sign({ ...payload, aud: 'andere-toepassing' }, keys[0]);
    case 'expired': return sign({ ...payload, iat: now - 7200, exp: now - 3600 }, keys[0]);
    case 'expired-within-skew': return sign({ ...payload, iat: now - 600, exp: now - 20 }, keys[0]);
    case 'wrong-nonce': return sign({ ...payload, nonce: randomUUID() }, keys[0]);
    case 'wrong-issuer': return sign({ ...payload, iss: 'https://elders.test' }, keys[0]);
    case 'unknown-key': return sign(payload, strangerKey);
    case 'tampered': {
      const parts = idToken.split('.');
      const changed = { ...payload, vo_orgcode: ABB, [ROLE_CLAIM]: `SamenlevenBeheerder:${ABB}` };
      parts[1] = Buffer.from(JSON.stringify(changed)).toString('base64url');
      return parts.join('.');
    }
    case 'unsigned': {
      const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`;
    }
    case 'replay': return previousIdToken ?? idToken;
    default: throw new Error(`unknown mode ${mode}`);
  }
}

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'samenleven',
        client_secret: 'test-geheim-van-samenleven',
        redirect_uris: list('OIDC_TEST_REDIRECT_URIS'),
        post_logout_redirect_uris: list('OIDC_TEST_POST_LOGOUT_URIS'),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys },
    scopes: SCOPES,
    claims: CLAIMS,
    // The claims travel in the ID token, as ACM/IDM sends them.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = page('Afmelden bij de testaanmelddienst', `${form}
<p>Wilt u zich ook afmelden bij de aanmelddienst van de tests?</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes">Ja, afmelden</button>
<button type="submit" form="op.logoutForm">Nee</button>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = page('Afgemeld bij de testaanmelddienst', '<p>U bent afgemeld.</p>');
        },
      },
    },
    cookies: { keys: ['samenleven-testprovider-cookie-sleutel'] },
    findAccount: async (ctx, id) => {
      const found = Object.entries(accounts).find(([, a]) => a.vo_id === id);
      if (!found) return undefined;
      return {
        accountId: id,
        async claims() {
          const claims = { sub: id };
          for (const [name, value] of Object.entries(found[1])) if (value !== null) claims[name] = value;
          return claims;
        },
      };
    },
    // First-party client: consent is given once the user signed in.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(SCOPES.join(' '));
      grant.addOIDCClaims(Object.values(CLAIMS).flat());
      await grant.save();
      return grant;
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Fout bij de testaanmelddienst', `<p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && ctx.body && ctx.body.id_token) {
      const issued = ctx.body.id_token;
      if (armed) {
        ctx.body = { ...ctx.body, id_token: await mangle(issued, armed) };
        armed = null;
      }
      previousIdToken = issued;
    }
  });
  return provider;
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
let provider = makeProvider(issuer);

server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const send = (status, type, body) => { res.writeHead(status, { 'content-type': type }); res.end(body); };
    if (req.method === 'POST' && url.pathname === '/__test/next-id-token') {
      armed = JSON.parse(await readBody(req)).mode;
      return send(204, 'text/plain', '');
    }
    if (req.method === 'POST' && url.pathname === '/__test/rotate') {
      keys = [await newKey(), keys[0]];
      provider = makeProvider(issuer);
      return send(200, 'application/json', JSON.stringify({ kid: keys[0].kid }));
    }
    const account = url.pathname.match(/^\/__test\/accounts\/([a-z]+)$/);
    if (req.method === 'POST' && account && accounts[account[1]]) {
      Object.assign(accounts[account[1]], JSON.parse(await readBody(req)));
      return send(204, 'text/plain', '');
    }
    const interaction = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (interaction) {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        const body = `<p>Dit is de aanmelddienst van de tests, geen echte aanmelddienst.</p>
<form method="post" action="/interaction/${escape(details.uid)}/login">
<label for="login">Testgebruiker</label>
<input id="login" name="login" autocomplete="username">
<button type="submit">Aanmelden bij de testaanmelddienst</button></form>`;
        return send(200, 'text/html; charset=utf-8', page('Aanmelden bij de testaanmelddienst', body));
      }
      const login = new URLSearchParams(await readBody(req)).get('login');
      const user = accounts[login];
      if (!user) {
        return send(400, 'text/html; charset=utf-8', page('Onbekende testgebruiker', `<p>${escape(login)}</p>`));
      }
      return provider.interactionFinished(req, res, { login: { accountId: user.vo_id } }, { mergeWithLastSubmission: false });
    }
    return provider.callback()(req, res);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err && err.stack));
  }
});

// The tests read the first line only; writing to a closed pipe must not end the provider.
process.stdout.on('error', () => {});
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
// The tests end the provider by closing its standard input (or by killing it).
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
