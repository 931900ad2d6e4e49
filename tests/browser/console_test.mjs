// The console in headless Chromium (docs/testing.md, label "browser"):
//   node console_test.mjs ROSTERD CHROMIUM SCREENSHOT_DIR
// Starts rosterd with HTTP on a free port in a temporary directory, creates the seed 000
// organization (commerce) through the API, then drives the page as its owner and as a Manager
// and asserts what the page shows: sign in, the members, an invitation whose one-time token is
// shown once (and accepted through the API with it), a role change, the last-owner refusal, the
// Manager's dropdown without Owner, activity filters and paging, a permission check, the
// projects listed and one's access, API keys (created, flagged for rotation once their creator
// is removed, revoked, a duplicate refused), resources with their owners (reassigned,
// registered, deleted), the settings (changed; a value the server refuses and one the page
// refuses), the organization as of an earlier position, the audit export download, the hash
// chain verified, a resend, an ownership transfer and leaving. Any failed assertion or timeout
// exits non-zero.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import pathlib from 'node:path';
import puppeteer from 'puppeteer-core';

const [rosterdPath, chromiumPath, shots] = process.argv.slice(2);
if (!rosterdPath || !chromiumPath || !shots) {
  console.error('usage: node console_test.mjs ROSTERD CHROMIUM SCREENSHOT_DIR');
  process.exit(2);
}
// Generous: CI machines are shared, and a timeout only bounds how long a failure takes.
const WAIT = { timeout: 30000 };
const tmp = fs.mkdtempSync(pathlib.join(os.tmpdir(), 'roster-console-'));
fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });
let rosterd = null;
let browser = null;
let step = 'start';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startRosterd() {
  const data = pathlib.join(tmp, 'data');
  const httpPortFile = pathlib.join(tmp, 'http.port');
  const log = fs.openSync(pathlib.join(tmp, 'rosterd.log'), 'a');
  rosterd = spawn(rosterdPath, ['--data-dir', data, '--listen', '127.0.0.1:0',
    '--port-file', pathlib.join(tmp, 'tcp.port'), '--http', '127.0.0.1:0',
    '--http-port-file', httpPortFile], { stdio: ['ignore', log, log] });
  let exited = null;
  rosterd.on('exit', (code, signal) => { exited = signal || code; });
  for (let i = 0; i < 600; i++) {
    if (exited !== null) throw new Error(`rosterd exited (${exited}):\n${fs.readFileSync(pathlib.join(tmp, 'rosterd.log'), 'utf8')}`);
    if (fs.existsSync(httpPortFile)) {
      const port = Number(fs.readFileSync(httpPortFile, 'utf8').trim());
      const token = fs.readFileSync(pathlib.join(data, 'admin.token'), 'utf8').trim();
      return { base: `http://127.0.0.1:${port}`, token };
    }
    await sleep(100);
  }
  throw new Error('rosterd did not listen within 60 s');
}

// The API as a backend calls it, to set the scene and to check what the page did.
function client(base, token) {
  return async (method, url, actor, body) => {
    const headers = { Authorization: `Bearer ${token}` };
    if (actor) headers['Roster-Actor'] = actor;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(base + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return json;
  };
}

async function shot(page, name) {
  await page.screenshot({ path: pathlib.join(shots, `${name}.png`), fullPage: true });
}

const text = (page, selector) => page.$eval(selector, (e) => e.textContent.trim());
const visible = (page, selector) => page.$eval(selector, (e) => !e.hidden && !e.closest('[hidden]'));

// Collects what would mean a broken page: uncaught exceptions, errors logged by the page, and
// any of its own files (not the API's answers, whose refusals the test provokes) failing to load.
// Confirmation dialogs are accepted.
function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/v1/')) errors.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => errors.push(`failed: ${r.url()}`));
  page.on('dialog', (d) => d.accept());
}

async function signIn(page, base, token, actor) {
  await page.goto(base + '/', { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  await page.type('#token', token);
  await page.type('#actor', actor);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector(`#members-table tr[data-user="${actor}"]`, WAIT);
  await page.waitForSelector('body:not([data-busy])', WAIT);
}

// The members table as the page shows it: user -> { role, status, joined, options, disabled }.
async function membersShown(page) {
  return page.$$eval('#members-table tbody tr[data-user]', (rows) => Object.fromEntries(rows.map((r) => {
    const cells = r.querySelectorAll('td');
    const select = r.querySelector('select');
    return [r.dataset.user, {
      email: cells[1].textContent,
      role: select.value,
      status: cells[4].textContent,
      joined: cells[5].textContent,
      lastActive: cells[6].textContent,
      grantable: [...select.options].filter((o) => !o.disabled).map((o) => o.value),
      disabled: select.disabled,
    }];
  })));
}

// Clicks a tab (or another control that reloads a table) and waits until the page's actions
// have finished, so that the next step does not act on a table about to be replaced.
async function clickAndSettle(page, selector) {
  await page.click(selector);
  await page.waitForSelector('body:not([data-busy])', WAIT);
}

async function waitError(page, code) {
  await page.waitForFunction((c) => {
    const box = document.querySelector('#error');
    return !box.hidden && document.querySelector('#error-code').textContent === c;
  }, WAIT, code);
  return text(page, '#error-detail');
}

async function main() {
  step = 'starting rosterd';
  const { base, token } = await startRosterd();
  const api = client(base, token);

  step = 'seed 000 through the API';
  const created = await api('PUT', '/v1/orgs/acme', 'olga', { name: 'Acme Store', preset: 'commerce', ownerEmail: 'olga@example.com', ownerDisplayName: 'Olga' });
  const createdAt = created.position;
  const bobInvite = await api('POST', '/v1/orgs/acme/invitations', 'olga', { email: 'bob@example.com', displayName: 'Bob', role: 'Manager' });
  await api('POST', `/v1/orgs/acme/invitations/${bobInvite.invitationId}/accept`, 'bob', { token: bobInvite.invitationToken, verifiedEmail: 'bob@example.com' });

  step = 'the page and its headers';
  browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const page = await browser.newPage();
  const pageErrors = [];
  watch(page, pageErrors);
  await page.setViewport({ width: 1280, height: 800 });
  const root = await page.goto(base + '/', { waitUntil: 'load' });
  assert.equal(root.status(), 200);
  assert.match(root.headers()['content-security-policy'], /default-src 'none'/);
  assert.equal(await page.title(), 'Roster console');

  step = 'a wrong token';
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  await page.type('#token', 'not-a-token');
  await page.type('#actor', 'olga');
  await page.click('#sign-in-form button[type=submit]');
  assert.equal(await waitError(page, 'UNAUTHENTICATED'), 'unknown or revoked token');
  assert.equal(await visible(page, '#workspace'), false);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('roster.token')), null);

  step = 'sign in as the owner';
  await signIn(page, base, token, 'olga');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('roster.actor')), 'olga');
  // The session survives a reload of the tab.
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('#members-table tr[data-user="bob"]', WAIT);
  await page.waitForSelector('body:not([data-busy])', WAIT);
  assert.match(await text(page, '#org-role'), /Owner/);
  let members = await membersShown(page);
  assert.deepEqual(Object.keys(members).sort(), ['bob', 'olga']);
  assert.equal(members.olga.role, 'Owner');
  assert.equal(members.bob.role, 'Manager');
  assert.equal(members.bob.email, 'bob@example.com');
  assert.equal(members.bob.status, 'active');
  assert.match(members.bob.joined, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  assert.deepEqual(members.olga.grantable.sort(), ['Billing', 'Editor', 'Manager', 'Owner']);
  await shot(page, '01-members');

  step = 'invite, and the token shown once';
  await clickAndSettle(page, '[data-tab="invitations"]');
  await page.click('#invite-open');
  await page.waitForSelector('#invite-dialog[open]', WAIT);
  const offered = await page.$$eval('#invite-role option', (os) => os.map((o) => o.value));
  assert.deepEqual(offered.sort(), ['Billing', 'Editor', 'Manager', 'Owner']);
  await page.type('#invite-form input[name=email]', 'carol@example.com');
  await page.type('#invite-form input[name=displayName]', 'Carol');
  await page.select('#invite-role', 'Editor');
  await page.click('#invite-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#invite-token').textContent.length > 0, WAIT);
  const shownToken = await text(page, '#invite-token');
  assert.equal(await text(page, '#invite-email'), 'carol@example.com');
  await shot(page, '02-invitation-token');
  await page.click('#invite-done');
  await page.waitForSelector('#invitations-table tr[data-email="carol@example.com"]', WAIT);
  assert.equal(await text(page, '#invite-token'), '', 'the token is gone once the dialog closes');
  const pending = await page.$$eval('#invitations-table tr[data-email="carol@example.com"] td', (tds) => tds.map((t) => t.textContent));
  assert.equal(pending[2], 'Editor');
  assert.equal(pending[3], 'olga');
  assert.match(pending[5], /^\d{4}-/, 'the expiry is shown');
  // The page never shows the token again: a second dialog starts empty.
  await page.click('#invite-open');
  await page.waitForSelector('#invite-dialog[open]', WAIT);
  assert.equal(await visible(page, '#invite-result'), false);
  assert.equal(await text(page, '#invite-token'), '');
  await page.click('#invite-cancel');
  // The token the page showed is the real one: Carol accepts with it.
  const invitations = await api('GET', '/v1/orgs/acme/invitations?status=pending', 'olga');
  const carolInvite = invitations.invitations.find((i) => i.email === 'carol@example.com');
  await api('POST', `/v1/orgs/acme/invitations/${carolInvite.invitationId}/accept`, 'carol', { token: shownToken, verifiedEmail: 'carol@example.com' });

  step = 'revoke an invitation';
  await api('POST', '/v1/orgs/acme/invitations', 'olga', { email: 'dan@example.com', role: 'Billing' });
  await clickAndSettle(page, '#refresh');
  await page.waitForSelector('#invitations-table tr[data-email="dan@example.com"]', WAIT);
  // A resend shows the new token once, like the first.
  await page.click('#invitations-table tr[data-email="dan@example.com"] button[data-resend]');
  await page.waitForSelector('#invite-dialog[open] #invite-result:not([hidden])', WAIT);
  assert.equal(await text(page, '#invite-result-title'), 'Invitation resent');
  assert.equal(await text(page, '#invite-email'), 'dan@example.com');
  assert.match(await text(page, '#invite-token'), /^\S{20,}$/);
  assert.notEqual(await text(page, '#invite-token'), shownToken);
  await page.click('#invite-done');
  await page.waitForFunction(() => document.querySelector('#invitations-table tr[data-email="dan@example.com"] td:nth-child(7)')?.textContent === '1', WAIT);
  await page.click('#invitations-table tr[data-email="dan@example.com"] button[data-revoke]');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'The invitation of dan@example.com was revoked.', WAIT);
  assert.equal(await page.$('#invitations-table tr[data-email="dan@example.com"]'), null);

  step = 'change a role';
  await clickAndSettle(page, '[data-tab="members"]');
  await page.waitForSelector('#members-table tr[data-user="carol"]', WAIT);
  await page.select('#members-table select[data-user="carol"]', 'Billing');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'carol is now Billing.', WAIT);
  members = await membersShown(page);
  assert.equal(members.carol.role, 'Billing');
  const afterChange = await api('GET', '/v1/orgs/acme/members', 'olga');
  assert.equal(afterChange.members.find((m) => m.userId === 'carol').role, 'Billing');

  step = 'the last-owner refusal';
  await page.select('#members-table select[data-user="olga"]', 'Manager');
  const lastOwner = await waitError(page, 'LAST_OWNER');
  assert.match(lastOwner, /last Owner/);
  assert.equal(await page.$eval('#members-table select[data-user="olga"]', (s) => s.value), 'Owner', 'the dropdown shows the role the member still has');
  await shot(page, '03-last-owner');
  await page.click('#members-table button[data-remove="olga"]');
  assert.match(await waitError(page, 'LAST_OWNER'), /last Owner/);

  step = 'remove a member';
  await page.click('#members-table button[data-remove="carol"]');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'carol was removed.', WAIT);
  assert.equal(await page.$('#members-table tr[data-user="carol"]'), null);

  step = 'activity filters and paging';
  for (let i = 0; i < 22; i++) {
    await api('POST', '/v1/orgs/acme/invitations', 'olga', { email: `guest${i}@example.com`, role: 'Editor' });
  }
  await clickAndSettle(page, '[data-tab="activity"]');
  await page.waitForSelector('#activity-table tbody tr', WAIT);
  await page.$eval('#activity-form input[name=action]', (e) => { e.value = 'member.role_changed'; });
  await page.click('#activity-form button[type=submit]');
  await page.waitForFunction(() => [...document.querySelectorAll('#activity-table tbody tr')].every((r) => r.children[2]?.textContent === 'member.role_changed'), WAIT);
  let rows = await page.$$eval('#activity-table tbody tr', (rs) => rs.map((r) => [...r.children].map((c) => c.textContent)));
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.deepEqual(rows[0].slice(1, 6), ['olga', 'member.role_changed', 'carol', 'Editor', 'Billing']);
  await page.$eval('#activity-form input[name=action]', (e) => { e.value = 'invitation.sent'; });
  await page.type('#activity-form input[name=actor]', 'olga');
  await page.click('#activity-form button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#activity-table tbody tr').length === 20 && !document.querySelector('#activity-next').disabled, WAIT);
  rows = await page.$$eval('#activity-table tbody tr', (rs) => rs.map((r) => [...r.children].map((c) => c.textContent)));
  assert.ok(rows.every((r) => r[1] === 'olga' && r[2] === 'invitation.sent'));
  assert.equal(rows[0][3], 'guest21@example.com', 'newest first');
  await shot(page, '04-activity');
  await page.click('#activity-next');
  // 25 invitations in all (bob, carol, dan and 22 guests): 5 on the second page.
  await page.waitForFunction(() => document.querySelector('#activity-page').textContent === 'page 2', WAIT);
  rows = await page.$$eval('#activity-table tbody tr', (rs) => rs.map((r) => [...r.children].map((c) => c.textContent)));
  assert.equal(rows.length, 5);
  assert.equal(rows.at(-1)[3], 'bob@example.com');
  assert.equal(await page.$eval('#activity-next', (b) => b.disabled), true);
  // The time range: nothing happened before 2001.
  await page.$eval('#activity-form input[name=to]', (e) => { e.value = '2001-01-01T00:00'; });
  await page.click('#activity-form button[type=submit]');
  await page.waitForSelector('#activity-table td.empty', WAIT);
  assert.equal(await text(page, '#activity-table td.empty'), 'No activity matches.');

  step = 'the audit export downloaded from the activity tab';
  await page.$eval('#activity-form input[name=to]', (e) => { e.value = ''; });
  await page.click('#export-jsonl');
  await page.waitForFunction(() => document.querySelector('#export-result').textContent !== '', WAIT);
  const exported = /^roster-audit-acme\.jsonl: (\d+) bytes$/.exec(await text(page, '#export-result'));
  assert.ok(exported, await text(page, '#export-result'));
  const exportRes = await fetch(`${base}/v1/audit/export?org=acme&format=jsonl`, { headers: { Authorization: `Bearer ${token}` } });
  const exportBytes = (await exportRes.arrayBuffer()).byteLength;
  assert.equal(Number(exported[1]), exportBytes, 'the page downloaded the whole export');
  assert.ok(exportBytes > 1000);

  step = 'permission check';
  await clickAndSettle(page, '[data-tab="check"]');
  await page.type('#check-form input[name=user]', 'bob');
  await page.select('#check-permission', 'members.invite');
  await page.click('#check-form button[type=submit]');
  await page.waitForSelector('#check-verdict.allowed', WAIT);
  assert.match(await text(page, '#check-source'), /Manager/);
  await page.$eval('#check-form input[name=user]', (e) => { e.value = 'bob'; });
  await page.select('#check-permission', 'org.delete');
  await page.click('#check-form button[type=submit]');
  await page.waitForSelector('#check-verdict.denied', WAIT);
  assert.notEqual(await text(page, '#check-reason'), '');

  step = 'projects listed, and who can reach one';
  await api('POST', '/v1/orgs/acme/projects', 'olga', { projectId: 'web', name: 'Website' });
  await clickAndSettle(page, '[data-tab="projects"]');
  await page.waitForSelector('#projects-table button[data-project="web"]', WAIT);
  const listed = await page.$$eval('#projects-table tbody tr', (rs) => rs.map((r) => [...r.children].slice(0, 3).map((c) => c.textContent)));
  assert.deepEqual(listed, [['web', 'Website', '0']]);
  await page.click('#projects-table button[data-project="web"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#project-table tbody tr')].some((r) => r.children[0]?.textContent === 'olga'), WAIT);

  step = 'API keys: listed with the rotation warning, created, revoked';
  // Erin, a Manager, records a key and owns a resource, then is removed: the key is flagged
  // for rotation and the resource goes to an owner.
  const erinInvite = await api('POST', '/v1/orgs/acme/invitations', 'olga', { email: 'erin@example.com', role: 'Manager' });
  await api('POST', `/v1/orgs/acme/invitations/${erinInvite.invitationId}/accept`, 'erin', { token: erinInvite.invitationToken, verifiedEmail: 'erin@example.com' });
  await api('POST', '/v1/orgs/acme/api-keys', 'erin', { apiKeyId: 'erin-ci', name: 'Erin CI' });
  await api('POST', '/v1/orgs/acme/resources', 'erin', { resourceId: 'mug', kind: 'product', name: 'Mug' });
  await api('POST', '/v1/orgs/acme/resources', 'olga', { resourceId: 'shirt', kind: 'product', name: 'T-shirt', owner: 'bob' });
  await api('DELETE', '/v1/orgs/acme/members/erin', 'olga');
  await clickAndSettle(page, '[data-tab="apikeys"]');
  await page.waitForSelector('#apikeys-table tr[data-key="erin-ci"]', WAIT);
  const keyCells = (id) => page.$$eval(`#apikeys-table tr[data-key="${id}"] td`, (tds) => tds.slice(0, 6).map((t) => t.textContent));
  assert.deepEqual((await keyCells('erin-ci')).slice(0, 5), ['erin-ci', 'Erin CI', 'erin', '(organization)', 'active']);
  assert.equal(await visible(page, '#apikeys-table span.warning[data-rotate="erin-ci"]'), true, 'the rotation warning is shown');
  assert.match(await text(page, '#apikeys-table span.warning[data-rotate="erin-ci"]'), /Rotation recommended: erin is no longer a member/);
  await page.type('#apikey-form input[name=apiKeyId]', 'deploy');
  await page.type('#apikey-form input[name=name]', 'Deploy bot');
  await page.click('#apikey-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'The API key Deploy bot was created by olga.', WAIT);
  assert.deepEqual(await keyCells('deploy'), ['deploy', 'Deploy bot', 'olga', '(organization)', 'active', '']);
  await shot(page, '07-api-keys');
  await page.click('#apikeys-table button[data-revoke-key="deploy"]');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'The API key Deploy bot was revoked.', WAIT);
  assert.equal((await keyCells('deploy'))[4], 'revoked');
  assert.equal(await page.$eval('#apikeys-table button[data-revoke-key="deploy"]', (b) => b.disabled), true);
  const keys = await api('GET', '/v1/orgs/acme/api-keys', 'olga');
  assert.equal(keys.find((k) => k.apiKeyId === 'deploy').revoked, true);
  assert.equal(keys.find((k) => k.apiKeyId === 'deploy').creator, 'olga');
  // The same id again: the server's refusal, shown.
  await page.type('#apikey-form input[name=apiKeyId]', 'deploy');
  await page.click('#apikey-form button[type=submit]');
  assert.match(await waitError(page, 'CONFLICT'), /API key deploy already exists/);

  step = 'resources: their owners, reassigned, registered, deleted';
  await clickAndSettle(page, '[data-tab="resources"]');
  await page.waitForSelector('#resources-table tr[data-resource="shirt"]', WAIT);
  const resourceShown = () => page.$$eval('#resources-table tbody tr[data-resource]', (rs) => Object.fromEntries(rs.map((r) => {
    const cells = r.querySelectorAll('td');
    return [r.dataset.resource, [cells[1].textContent, cells[2].textContent, r.querySelector('select').value, cells[4].textContent]];
  })));
  assert.deepEqual(await resourceShown(), {
    mug: ['product', 'Mug', 'olga', '(organization)'], // erin's, given to an owner when she was removed
    shirt: ['product', 'T-shirt', 'bob', '(organization)'],
  });
  await page.select('#resources-table select[data-resource="shirt"]', 'olga');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'T-shirt now belongs to olga.', WAIT);
  assert.equal((await api('GET', '/v1/orgs/acme/resources', 'olga')).find((r) => r.resourceId === 'shirt').owner, 'olga');
  await page.type('#resource-form input[name=resourceId]', 'hat');
  await page.type('#resource-form input[name=kind]', 'product');
  await page.type('#resource-form input[name=name]', 'Hat');
  await page.select('#resource-owner', 'bob');
  await page.click('#resource-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'The resource Hat was registered.', WAIT);
  assert.deepEqual((await resourceShown()).hat, ['product', 'Hat', 'bob', '(organization)']);
  await shot(page, '08-resources');
  await page.click('#resources-table button[data-delete-resource="hat"]');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'The resource Hat was deleted.', WAIT);
  assert.equal(await page.$('#resources-table tr[data-resource="hat"]'), null);

  step = 'settings: shown, changed, refused';
  await clickAndSettle(page, '[data-tab="settings"]');
  assert.equal(await text(page, '#settings-ttl'), '7');
  assert.equal(await text(page, '#settings-pending'), '50');
  const setField = (name, value) => page.$eval(`#settings-form input[name=${name}]`, (e, v) => { e.value = v; }, value);
  await setField('invitationTtlDays', '14');
  await setField('maxPendingInvitations', '80');
  await page.click('#settings-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#notice').textContent.startsWith('Invitations now stay valid for 14 days'), WAIT);
  assert.equal(await text(page, '#settings-ttl'), '14');
  assert.equal(await text(page, '#settings-pending'), '80');
  assert.deepEqual(await api('GET', '/v1/orgs/acme/settings', 'olga'), { invitationTtlDays: 14, maxPendingInvitations: 80 });
  await setField('invitationTtlDays', '31');
  await page.click('#settings-form button[type=submit]');
  assert.match(await waitError(page, 'INVALID_ARGUMENT'), /between 1 and 30 days/);
  assert.equal(await text(page, '#settings-ttl'), '14', 'the refused value did not take');
  await shot(page, '09-settings-refused');
  await setField('invitationTtlDays', '0');
  await page.click('#settings-form button[type=submit]');
  assert.match(await waitError(page, 'BAD_REQUEST'), /whole number from 1/);
  assert.equal((await api('GET', '/v1/orgs/acme/settings', 'olga')).invitationTtlDays, 14);

  step = 'as of the organization\'s creation';
  await clickAndSettle(page, '[data-tab="asof"]');
  await page.type('#asof-form input[name=position]', createdAt);
  await page.click('#asof-form button[type=submit]');
  await page.waitForSelector('#asof-result:not([hidden])', WAIT);
  const then = await page.$$eval('#asof-members tbody tr', (rs) => rs.map((r) => r.children[0].textContent));
  assert.deepEqual(then, ['olga']);
  await page.type('#history-form input[name=user]', 'carol');
  await page.click('#history-form button[type=submit]');
  await page.waitForSelector('#history-table:not([hidden]) tbody tr', WAIT);
  const history = await page.$$eval('#history-table tbody tr', (rs) => rs.map((r) => [...r.children].slice(1, 6).map((c) => c.textContent)));
  assert.deepEqual(history, [
    ['acme', 'member.joined', 'carol', 'not a member', 'role Editor'],
    ['acme', 'member.role_changed', 'olga', 'role Editor', 'role Billing'],
    ['acme', 'member.removed', 'olga', 'role Billing', 'not a member'],
  ]);
  await shot(page, '05-as-of');

  step = 'the hash chain verified with progress';
  await page.click('#verify-start');
  await page.waitForSelector('#verify-result.allowed', WAIT);
  const verified = /^The chain verifies: (\d+) records, up to position (\d+)\.$/.exec(await text(page, '#verify-result'));
  assert.ok(verified, await text(page, '#verify-result'));
  const status = await api('GET', '/v1/status');
  assert.ok(Number(verified[2]) > 0 && Number(verified[2]) <= Number(status.lastPosition));
  assert.equal(verified[1], verified[2], 'every record from 1 to the end was checked');
  assert.equal(await page.$eval('#verify-progress', (p) => p.value === p.max), true);

  step = 'a Manager sees only the roles a Manager may grant';
  const context = await browser.createBrowserContext();
  const managerPage = await context.newPage();
  watch(managerPage, pageErrors);
  await signIn(managerPage, base, token, 'bob');
  const seen = await membersShown(managerPage);
  assert.deepEqual(seen.bob.grantable.sort(), ['Billing', 'Editor', 'Manager']);
  assert.ok(!seen.bob.grantable.includes('Owner'));
  assert.equal(seen.olga.disabled, true, 'a Manager cannot change an Owner');
  assert.equal(await managerPage.$eval('#members-table button[data-remove="olga"]', (b) => b.disabled), true);
  assert.equal(await visible(managerPage, '#transfer-form'), false, 'only an owner transfers ownership');
  await shot(managerPage, '06-manager');

  step = 'transfer ownership';
  await clickAndSettle(page, '[data-tab="members"]');
  await page.waitForSelector('#transfer-form:not([hidden])', WAIT);
  await page.select('#transfer-to', 'bob');
  await page.select('#transfer-keep', 'Manager');
  await page.click('#transfer-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'bob now owns acme.', WAIT);
  members = await membersShown(page);
  assert.equal(members.bob.role, 'Owner');
  assert.equal(members.olga.role, 'Manager');
  assert.match(await text(page, '#org-role'), /Manager/);
  assert.equal(members.bob.disabled, true, 'now a Manager, olga cannot change the Owner');

  step = 'leave';
  await page.click('#leave');
  await page.waitForFunction(() => document.querySelector('#notice').textContent === 'You left acme.', WAIT);
  const olgaOrgs = await api('GET', '/v1/users/olga/orgs', 'olga');
  assert.deepEqual(olgaOrgs, []);
  assert.equal(await visible(page, '#workspace'), false);

  step = 'sign out';
  await page.click('#sign-out');
  await page.waitForSelector('#sign-in:not([hidden])', WAIT);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('roster.token')), null);

  assert.deepEqual(pageErrors, [], 'the page logged errors');
}

let failed = false;
try {
  await main();
  console.log('console_browser_test: passed');
} catch (e) {
  failed = true;
  console.error(`console_browser_test: failed at "${step}":`, e);
  if (browser) {
    for (const p of await browser.pages()) await shot(p, `failure-${p.url().length}`).catch(() => {});
  }
  const log = pathlib.join(tmp, 'rosterd.log');
  if (fs.existsSync(log)) console.error('rosterd log (end):\n' + fs.readFileSync(log, 'utf8').slice(-3000));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (rosterd && rosterd.exitCode === null) {
    rosterd.kill('SIGTERM');
    await new Promise((r) => { const t = setTimeout(() => { rosterd.kill('SIGKILL'); r(); }, 10000); rosterd.on('exit', () => { clearTimeout(t); r(); }); });
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
