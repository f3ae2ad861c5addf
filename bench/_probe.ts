import { createServer } from 'node:http';
import { startDevstack } from '../devstack/index.ts';
import { launchSystemBrowser } from '../test/support/system-browser.ts';
import * as client from 'openid-client';
const srv = createServer((q, r) => { console.log('SERVER HIT', q.url?.slice(0, 60)); r.end('served'); });
await new Promise<void>((res) => srv.listen(45678, '127.0.0.1', () => res()));
const d = await startDevstack({ quiet: true });
const b = await launchSystemBrowser();
const ctx = await b.newContext();
await ctx.route((u) => u.pathname === '/auth', async (r) => {
  const resp = await r.fetch({ maxRedirects: 0 });
  const loc = resp.headers()['location'];
  console.log('ROUTED', resp.status(), loc?.slice(0, 70));
  if (loc && new URL(loc, r.request().url()).pathname === '/callback') { await r.fulfill({ body: 'held' }); return; }
  await r.fulfill({ response: resp });
});
const conf = await client.discovery(new URL(d.issuer), d.clientId, { token_endpoint_auth_method: 'none' }, client.None(), { execute: [client.allowInsecureRequests] });
console.log(conf.serverMetadata().authorization_endpoint);
const v = client.randomPKCECodeVerifier();
const url = client.buildAuthorizationUrl(conf, { redirect_uri: 'http://127.0.0.1:45678/callback', scope: 'openid profile email offline_access', audience: d.audience, code_challenge: await client.calculatePKCECodeChallenge(v), code_challenge_method: 'S256', state: 'abcabcabcabcabcabcabcabcabcabcabcabcabcabcabc', nonce: 'abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcd' });
const page = await ctx.newPage();
page.on('request', (r) => console.log('req', r.url().slice(0, 80)));
await page.goto(url.href);
await page.fill('input[name="username"]', 'alice@example.com');
await page.fill('input[name="password"]', 'wonderland');
await page.click('[type="submit"]');
await page.waitForTimeout(1500);
console.log('url', page.url().slice(0, 100));
for (let i = 0; i < 3; i++) {
const t = performance.now();
await page.goto(url.href).catch((e) => console.log('err', String(e).slice(0, 100)));
console.log('url', page.url().slice(0, 100), performance.now() - t);
}
await b.close(); await d.close(); srv.close();
