// The console: sign in, pick an organization, and the tabs over the HTTP API (docs/console.md).
// Every change goes through the API as the acting user; what the server refuses is shown as the
// domain's sentence, never swallowed.
import { Api, ApiError, path } from './api.js';
import { grantableRoles, loadCatalogs } from './roles.js';

const $ = (selector) => document.querySelector(selector);
const PAGE = 20;

const state = {
  api: null,
  orgs: [],
  org: '',
  actorRole: '',
  grantable: null, // { roles, filtered, note }
  members: [],
  membersCursor: '0',
  activityCursors: ['0'], // the cursor of each page shown so far: the pager's way back
  activityNext: '0',
};

// ---- formatting ---------------------------------------------------------------------------

// Times are microseconds since the epoch as decimal strings (docs/http.md); "0" is "never".
function formatTime(us) {
  if (!us || us === '0') return '—';
  const d = new Date(Number(BigInt(us) / 1000n));
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.append(c);
    else td.textContent = c ?? '';
    tr.append(td);
  }
  return tr;
}

function fill(tbody, rows, empty) {
  tbody.replaceChildren(...rows);
  if (rows.length === 0) {
    const cols = tbody.closest('table').querySelectorAll('th').length;
    tbody.append(el('tr', null));
    tbody.lastChild.append(el('td', empty, { colspan: String(cols), class: 'empty' }));
  }
}

// ---- messages -----------------------------------------------------------------------------

function showError(e) {
  const err = e instanceof ApiError ? e : new ApiError(0, { code: 'ERROR', detail: String(e?.message || e) });
  $('#error-code').textContent = err.code;
  $('#error-detail').textContent = err.detail;
  $('#error').hidden = false;
  $('#notice').hidden = true;
}

function clearError() { $('#error').hidden = true; }

function notice(text) {
  $('#notice').textContent = text;
  $('#notice').hidden = false;
}

// Runs an action from a button or form: clears the last message, reports a failure. While any
// runs, <body data-busy> says so (for people's cursors and for the browser test).
let running = 0;
async function act(fn) {
  clearError();
  $('#notice').hidden = true;
  running += 1;
  document.body.dataset.busy = 'true';
  try {
    await fn();
  } catch (e) {
    showError(e);
  } finally {
    running -= 1;
    if (running === 0) delete document.body.dataset.busy;
  }
}

// A command's answer: a refusal may also come as a 200 with accepted=false.
function accepted(result) {
  if (result && result.accepted === false) {
    const r = result.rejection || {};
    throw new ApiError(422, { code: r.code || 'REJECTED', detail: r.message || 'the command was refused' });
  }
  return result;
}

// ---- sign in and organization -------------------------------------------------------------

async function signIn(token, actor) {
  const api = new Api(token, actor);
  const orgs = await api.get(path`/v1/users/${actor}/orgs`);
  state.api = api;
  state.orgs = orgs || [];
  sessionStorage.setItem('roster.token', token);
  sessionStorage.setItem('roster.actor', actor);
  $('#sign-in').hidden = true;
  $('#workspace').hidden = false;
  $('#sign-out').hidden = false;
  $('#who').textContent = `acting as ${actor}`;
  const select = $('#org');
  select.replaceChildren(...state.orgs.map((o) => el('option', `${o.name} (${o.org})`, { value: o.org })));
  if (state.orgs.length === 0) {
    showError(new ApiError(404, { code: 'NO_ORGANIZATIONS', detail: `${actor} is not a member of any organization.` }));
    return;
  }
  const saved = sessionStorage.getItem('roster.org');
  select.value = state.orgs.some((o) => o.org === saved) ? saved : state.orgs[0].org;
  await openOrg(select.value);
}

function signOut() {
  sessionStorage.removeItem('roster.token');
  sessionStorage.removeItem('roster.actor');
  sessionStorage.removeItem('roster.org');
  location.reload();
}

async function openOrg(org) {
  state.org = org;
  sessionStorage.setItem('roster.org', org);
  const entry = state.orgs.find((o) => o.org === org);
  state.actorRole = entry ? entry.role : '';
  $('#org-role').textContent = state.actorRole ? `your role: ${state.actorRole}` : '';
  state.grantable = null;
  state.activityCursors = ['0'];
  await showTab(currentTab());
}

function currentTab() { return $('#tabs button.current').dataset.tab; }

async function showTab(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('current', b.dataset.tab === name);
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== `tab-${name}`;
  if (name === 'members') await loadMembers();
  else if (name === 'invitations') await loadInvitations();
  else if (name === 'activity') await loadActivity(state.activityCursors.at(-1));
  else if (name === 'projects') await loadProjects();
  else if (name === 'apikeys') await loadApiKeys();
  else if (name === 'resources') await loadResources();
  else if (name === 'settings') await loadSettings();
}

// The roles the acting member may grant in this organization (roles.js).
async function grantable() {
  if (!state.grantable) {
    state.grantable = await grantableRoles(state.api, state.org, state.actorRole);
  }
  return state.grantable;
}

// ---- members ------------------------------------------------------------------------------

async function loadMembers(more = false) {
  const page = await state.api.get(path`/v1/orgs/${state.org}/members`, {
    limit: 100,
    cursor: more ? state.membersCursor : undefined,
  });
  state.members = more ? state.members.concat(page.members) : page.members;
  state.membersCursor = page.nextCursor;
  $('#members-more').hidden = page.nextCursor === '0';
  const roles = await grantable();
  $('#roles-note').textContent = roles.note;
  fill($('#members-table tbody'), state.members.map((m) => memberRow(m, roles)), 'No members.');
  // Only an owner may transfer ownership; the others would only meet the server's refusal.
  const owner = !roles.ownerRole || state.actorRole === roles.ownerRole;
  $('#transfer-form').hidden = !owner;
  if (owner) {
    const others = state.members.filter((m) => m.status === 'active' && m.userId !== state.api.actor);
    $('#transfer-to').replaceChildren(...others.map((m) => el('option', m.userId, { value: m.userId })));
    $('#transfer-keep').replaceChildren(...roles.roles.map((r) => el('option', r, { value: r })));
  }
}

async function transfer(form) {
  const f = new FormData(form);
  const to = f.get('toUser');
  if (!to) throw new ApiError(400, { code: 'BAD_REQUEST', detail: 'Choose the member who becomes owner.' });
  if (!confirm(`Make ${to} the owner of ${state.org}? You keep the role ${f.get('previousOwnerRole')}.`)) return;
  accepted(await state.api.post(path`/v1/orgs/${state.org}/transfer`, { toUser: to, previousOwnerRole: f.get('previousOwnerRole') }));
  await refreshOrgs();
  await loadMembers();
  notice(`${to} now owns ${state.org}.`);
}

async function leave() {
  if (!confirm(`Leave ${state.org}? You lose your access at once.`)) return;
  accepted(await state.api.post(path`/v1/orgs/${state.org}/leave`));
  const left = state.org;
  await refreshOrgs();
  if (state.orgs.length > 0) await openOrg($('#org').value);
  else $('#workspace').hidden = true;
  notice(`You left ${left}.`);
}

// The organizations and the actor's role in each, after a change of the actor's own role.
async function refreshOrgs() {
  state.orgs = (await state.api.get(path`/v1/users/${state.api.actor}/orgs`)) || [];
  const select = $('#org');
  select.replaceChildren(...state.orgs.map((o) => el('option', `${o.name} (${o.org})`, { value: o.org })));
  if (state.orgs.some((o) => o.org === state.org)) select.value = state.org;
  const entry = state.orgs.find((o) => o.org === state.org);
  state.actorRole = entry ? entry.role : '';
  $('#org-role').textContent = state.actorRole ? `your role: ${state.actorRole}` : '';
  state.grantable = null;
}

function memberRow(m, roles) {
  const select = el('select', null, { 'aria-label': `Role of ${m.userId}`, 'data-user': m.userId });
  const options = roles.roles.includes(m.role) ? roles.roles : [m.role, ...roles.roles];
  for (const r of options) {
    const option = el('option', r, { value: r });
    // A role the actor does not cover can be seen but not granted.
    if (!roles.roles.includes(r)) option.disabled = true;
    select.append(option);
  }
  select.value = m.role;
  // Changing someone from a role the actor does not cover is escalation too.
  select.disabled = m.status !== 'active' || (roles.filtered && !roles.roles.includes(m.role));
  select.addEventListener('change', () => act(async () => {
    const to = select.value;
    try {
      accepted(await state.api.post(path`/v1/orgs/${state.org}/members/${m.userId}/role`, { role: to }));
    } catch (e) {
      select.value = m.role; // the change did not happen: show what is
      throw e;
    }
    await loadMembers();
    notice(`${m.userId} is now ${to}.`);
  }));
  const remove = el('button', 'Remove', { type: 'button', class: 'danger', 'data-remove': m.userId });
  remove.disabled = m.status !== 'active' || (roles.filtered && !roles.roles.includes(m.role));
  remove.addEventListener('click', () => act(async () => {
    if (!confirm(`Remove ${m.userId} from ${state.org}? Their access ends at once.`)) return;
    accepted(await state.api.del(path`/v1/orgs/${state.org}/members/${m.userId}`));
    await loadMembers();
    notice(`${m.userId} was removed.`);
  }));
  const tr = row([m.userId, m.email, m.displayName, select, m.status, formatTime(m.joinedAtUs),
    formatTime(m.lastActiveUs), remove]);
  tr.dataset.user = m.userId;
  return tr;
}

// ---- invitations --------------------------------------------------------------------------

async function loadInvitations() {
  const page = await state.api.get(path`/v1/orgs/${state.org}/invitations`, { status: 'pending', limit: 200 });
  fill($('#invitations-table tbody'), page.invitations.map((inv) => {
    const revoke = el('button', 'Revoke', { type: 'button', class: 'danger', 'data-revoke': inv.email });
    revoke.addEventListener('click', () => act(async () => {
      accepted(await state.api.del(path`/v1/orgs/${state.org}/invitations/${inv.invitationId}`));
      await loadInvitations();
      notice(`The invitation of ${inv.email} was revoked.`);
    }));
    const resend = el('button', 'Resend', { type: 'button', 'data-resend': inv.email });
    resend.addEventListener('click', () => act(async () => {
      // A resent invitation has a new token (the old one stops working): shown once, as at first.
      const result = accepted(await state.api.post(path`/v1/orgs/${state.org}/invitations/${inv.invitationId}/resend`));
      showToken('Invitation resent', inv.email, result.invitationToken);
      await loadInvitations();
    }));
    const actions = el('span');
    actions.append(resend, ' ', revoke);
    const tr = row([inv.email, inv.displayName, inv.role, inv.inviter, formatTime(inv.sentAtUs),
      formatTime(inv.expiresAtUs), String(inv.resendCount), actions]);
    tr.dataset.email = inv.email;
    return tr;
  }), 'No pending invitations.');
}

async function openInvite() {
  if (state.members.length === 0) await loadMembers();
  const roles = await grantable();
  $('#invite-role').replaceChildren(...roles.roles.map((r) => el('option', r, { value: r })));
  $('#invite-form').reset();
  $('#invite-form').hidden = false;
  $('#invite-result').hidden = true;
  $('#invite-dialog').showModal();
}

async function sendInvite(form) {
  const data = new FormData(form);
  const body = { email: data.get('email'), displayName: data.get('displayName'), role: data.get('role') };
  const result = accepted(await state.api.post(path`/v1/orgs/${state.org}/invitations`, body));
  showToken('Invitation sent', body.email, result.invitationToken);
  if (currentTab() === 'invitations') await loadInvitations();
}

// The token exists only in the command's answer: shown once, then dropped with the dialog.
function showToken(title, email, token) {
  $('#invite-result-title').textContent = title;
  $('#invite-email').textContent = email;
  $('#invite-token').textContent = token;
  $('#invite-form').hidden = true;
  $('#invite-result').hidden = false;
  if (!$('#invite-dialog').open) $('#invite-dialog').showModal();
}

function closeInvite() {
  $('#invite-token').textContent = '';
  $('#invite-dialog').close();
}

// ---- activity -----------------------------------------------------------------------------

// A time picked in a datetime-local field, read as UTC: the tables show UTC too.
function microseconds(local) {
  if (!local) return undefined;
  const ms = Date.parse(local + 'Z');
  if (Number.isNaN(ms)) throw new ApiError(400, { code: 'BAD_REQUEST', detail: `not a time: ${local}` });
  return String(BigInt(ms) * 1000n);
}

async function loadActivity(cursor) {
  const f = new FormData($('#activity-form'));
  const page = await state.api.get(path`/v1/orgs/${state.org}/activity`, {
    actor: f.get('actor').trim(),
    subject: f.get('subject').trim(),
    action: f.get('action').trim(),
    fromTimeUs: microseconds(f.get('from')),
    toTimeUs: microseconds(f.get('to')),
    newestFirst: f.get('newestFirst') ? 'true' : 'false',
    limit: PAGE,
    cursor: cursor === '0' ? undefined : cursor,
  });
  fill($('#activity-table tbody'), page.entries.map((e) => row([formatTime(e.timeUs), e.actor, e.action,
    e.subject, e.before, e.after, e.position])), 'No activity matches.');
  state.activityNext = page.nextCursor;
  $('#activity-next').disabled = page.nextCursor === '0';
  $('#activity-first').disabled = state.activityCursors.length <= 1;
  $('#activity-page').textContent = `page ${state.activityCursors.length}`;
}

// The export is a file: fetched with the token (a plain link could not send it), then handed
// to the browser as a download under the organization's name.
async function exportActivity(format) {
  const f = new FormData($('#activity-form'));
  const { blob, filename } = await state.api.download('/v1/audit/export', {
    org: state.org,
    fromTimeUs: microseconds(f.get('from')),
    toTimeUs: microseconds(f.get('to')),
    format,
  });
  const name = filename.replace(/^roster-audit/, `roster-audit-${state.org}`);
  const link = el('a', null, { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  $('#export-result').textContent = `${name}: ${blob.size} bytes`;
}

// ---- the hash chain -------------------------------------------------------------------------

// In ranges, so that the page shows how far it has come: consecutive ranges check exactly what
// one walk of the whole log does (each is anchored on the stored hash before it).
const VERIFY_STEP = 20000n;

async function verifyChain() {
  const result = $('#verify-result');
  const bar = $('#verify-progress');
  result.textContent = '';
  result.className = '';
  const status = await state.api.get('/v1/status');
  const last = BigInt(status.lastPosition);
  bar.max = Number(last > 0n ? last : 1n);
  bar.value = 0;
  bar.hidden = false;
  let checked = 0n;
  for (let from = 1n; from <= last; from += VERIFY_STEP) {
    const to = from + VERIFY_STEP - 1n < last ? from + VERIFY_STEP - 1n : last;
    const part = await state.api.post('/v1/verify/range', { from: String(from), to: String(to) });
    checked += BigInt(part.checked);
    bar.value = Number(to);
    result.textContent = `${to} of ${last} records`;
    if (!part.ok) {
      result.textContent = `The chain does NOT verify at position ${part.firstBad}: ${part.problem}`;
      result.className = 'verdict denied';
      return;
    }
  }
  result.textContent = `The chain verifies: ${checked} records, up to position ${last}.`;
  result.className = 'verdict allowed';
}

// ---- permission check, projects, as of ----------------------------------------------------

async function runCheck(form) {
  const f = new FormData(form);
  const result = await state.api.get(path`/v1/orgs/${state.org}/check`, {
    user: f.get('user').trim(), permission: f.get('permission'), projectId: f.get('projectId').trim(),
  });
  const verdict = $('#check-verdict');
  verdict.textContent = result.allowed ? `Allowed: ${f.get('user')} may ${f.get('permission')}`
    : `Denied: ${f.get('user')} may not ${f.get('permission')}`;
  verdict.className = `verdict ${result.allowed ? 'allowed' : 'denied'}`;
  $('#check-reason').textContent = result.reason;
  $('#check-source').textContent = result.role ? `through the role ${result.role} (${result.source})` : `source: ${result.source}`;
  $('#check-result').hidden = false;
}

// The organization's projects, each with a button that shows who can reach it.
async function loadProjects() {
  const projects = (await state.api.get(path`/v1/orgs/${state.org}/projects`)) || [];
  fill($('#projects-table tbody'), projects.map((p) => {
    const show = el('button', 'Show access', { type: 'button', 'data-project': p.projectId });
    show.addEventListener('click', () => act(async () => {
      $('#project-form input[name=projectId]').value = p.projectId;
      await showProject($('#project-form'));
    }));
    return row([p.projectId, p.name, String(p.directMembers || 0), show]);
  }), 'No projects.');
}

async function showProject(form) {
  const id = new FormData(form).get('projectId').trim();
  const list = await state.api.get(path`/v1/orgs/${state.org}/projects/${id}/access`);
  fill($('#project-table tbody'), list.map((p) => row([p.userId, p.access.role, p.access.source,
    p.access.inheritedRole, p.access.directRole])), 'Nobody has access to this project.');
}

async function showAsOf(form) {
  const f = new FormData(form);
  const position = f.get('position').trim();
  const query = position ? { position } : { timeUs: microseconds(f.get('time')) };
  if (!query.position && !query.timeUs) throw new ApiError(400, { code: 'BAD_REQUEST', detail: 'Choose a time or a position.' });
  const at = await state.api.get(path`/v1/orgs/${state.org}/as-of`, query);
  $('#asof-summary').textContent = `${at.name || at.org} at position ${at.position} (${formatTime(at.timeUs)})` +
    (at.deleted ? ': deleted' : '');
  fill($('#asof-members tbody'), (at.members || []).map((m) => row([m.userId, m.email, m.role, m.status,
    formatTime(m.joinedAtUs)])), 'No members then.');
  fill($('#asof-pending tbody'), (at.pending || []).map((p) => row([p.email, p.role, formatTime(p.expiresAtUs)])),
    'No pending invitations then.');
  $('#asof-result').hidden = false;
}

// Every membership change of one user, in every organization (the API's userHistory).
async function showHistory(form) {
  const user = new FormData(form).get('user').trim();
  const entries = await state.api.get(path`/v1/users/${user}/history`);
  fill($('#history-table tbody'), entries.map((e) => row([formatTime(e.timeUs), e.org, e.action, e.actor,
    e.before, e.after, e.position])), `No history for ${user}.`);
  $('#history-table').hidden = false;
}

// ---- API keys, resources, settings --------------------------------------------------------

// The organization's API keys (the actor needs apikeys.view). A key whose creator left or was
// removed still works: the server flags it, and the page says so where it cannot be missed.
async function loadApiKeys() {
  const keys = (await state.api.get(path`/v1/orgs/${state.org}/api-keys`)) || [];
  fill($('#apikeys-table tbody'), keys.map((k) => {
    const rotation = k.rotationRecommended
      ? el('span', `⚠ Rotation recommended: ${k.creator} is no longer a member`, { class: 'warning', 'data-rotate': k.apiKeyId })
      : '';
    const revoke = el('button', 'Revoke', { type: 'button', class: 'danger', 'data-revoke-key': k.apiKeyId });
    revoke.disabled = Boolean(k.revoked);
    revoke.addEventListener('click', () => act(async () => {
      if (!confirm(`Revoke the API key ${k.name}? Calls made with it stop being accepted.`)) return;
      accepted(await state.api.del(path`/v1/orgs/${state.org}/api-keys/${k.apiKeyId}`));
      await loadApiKeys();
      notice(`The API key ${k.name} was revoked.`);
    }));
    const tr = row([k.apiKeyId, k.name, k.creator, k.projectId || '(organization)',
      k.revoked ? 'revoked' : 'active', rotation, revoke]);
    tr.dataset.key = k.apiKeyId;
    if (k.revoked) tr.classList.add('revoked');
    return tr;
  }), 'No API keys.');
}

async function createApiKey(form) {
  const f = new FormData(form);
  const body = { apiKeyId: f.get('apiKeyId').trim(), name: f.get('name').trim(), projectId: f.get('projectId').trim() };
  accepted(await state.api.post(path`/v1/orgs/${state.org}/api-keys`, body));
  form.reset();
  await loadApiKeys();
  notice(`The API key ${body.name || body.apiKeyId} was created by ${state.api.actor}.`);
}

// The active members, who may own a resource (as far as the actor may see the members).
async function activeMembers() {
  const page = await state.api.get(path`/v1/orgs/${state.org}/members`, { limit: 1000 });
  return page.members.filter((m) => m.status === 'active').map((m) => m.userId);
}

// The organization's resources and their owners (the actor needs resources.view). The owner is
// a dropdown of the active members, as the role is on the members tab: choosing one reassigns.
async function loadResources() {
  const resources = (await state.api.get(path`/v1/orgs/${state.org}/resources`)) || [];
  const members = await activeMembers();
  fill($('#resources-table tbody'), resources.map((r) => {
    const select = el('select', null, { 'aria-label': `Owner of ${r.resourceId}`, 'data-resource': r.resourceId });
    for (const u of members.includes(r.owner) ? members : [r.owner, ...members]) {
      select.append(el('option', u, { value: u }));
    }
    select.value = r.owner;
    select.addEventListener('change', () => act(async () => {
      const to = select.value;
      try {
        accepted(await state.api.post(path`/v1/orgs/${state.org}/resources/${r.resourceId}/owner`, { toOwner: to }));
      } catch (e) {
        select.value = r.owner; // the owner did not change: show who it is
        throw e;
      }
      await loadResources();
      notice(`${r.name} now belongs to ${to}.`);
    }));
    const remove = el('button', 'Delete', { type: 'button', class: 'danger', 'data-delete-resource': r.resourceId });
    remove.addEventListener('click', () => act(async () => {
      if (!confirm(`Delete the resource ${r.name}?`)) return;
      accepted(await state.api.del(path`/v1/orgs/${state.org}/resources/${r.resourceId}`));
      await loadResources();
      notice(`The resource ${r.name} was deleted.`);
    }));
    const tr = row([r.resourceId, r.kind, r.name, select, r.projectId || '(organization)', remove]);
    tr.dataset.resource = r.resourceId;
    return tr;
  }), 'No resources.');
  const owner = $('#resource-owner');
  const chosen = owner.value;
  owner.replaceChildren(...members.map((u) => el('option', u === state.api.actor ? `${u} (you)` : u, { value: u })));
  owner.value = members.includes(chosen) ? chosen : state.api.actor;
}

async function registerResource(form) {
  const f = new FormData(form);
  const body = {
    resourceId: f.get('resourceId').trim(), kind: f.get('kind').trim(), name: f.get('name').trim(),
    owner: f.get('owner') || '', projectId: f.get('projectId').trim(),
  };
  accepted(await state.api.post(path`/v1/orgs/${state.org}/resources`, body));
  form.reset();
  await loadResources();
  notice(`The resource ${body.name || body.resourceId} was registered.`);
}

async function loadSettings() {
  const settings = await state.api.get(path`/v1/orgs/${state.org}/settings`);
  $('#settings-ttl').textContent = String(settings.invitationTtlDays);
  $('#settings-pending').textContent = String(settings.maxPendingInvitations);
  const form = $('#settings-form');
  form.elements.invitationTtlDays.value = String(settings.invitationTtlDays);
  form.elements.maxPendingInvitations.value = String(settings.maxPendingInvitations);
}

// A setting as typed: a whole number from 1, which the server then checks against its limits.
// 0 cannot go to the server, where it means "unchanged".
function settingNumber(text, what) {
  const value = String(text).trim();
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new ApiError(400, { code: 'BAD_REQUEST', detail: `${what} must be a whole number from 1, not "${value}".` });
  }
  return Number(value);
}

async function saveSettings(form) {
  const f = new FormData(form);
  const body = {
    invitationTtlDays: settingNumber(f.get('invitationTtlDays'), 'The invitation lifetime'),
    maxPendingInvitations: settingNumber(f.get('maxPendingInvitations'), 'The pending invitation limit'),
  };
  // Refused, the form keeps what was typed beside the error; the line above it still shows the
  // settings in force.
  accepted(await state.api.patch(path`/v1/orgs/${state.org}/settings`, body));
  await loadSettings();
  notice(`Invitations now stay valid for ${body.invitationTtlDays} days; at most ${body.maxPendingInvitations} pending.`);
}

// ---- wiring -------------------------------------------------------------------------------

function wire() {
  $('#sign-in-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(() => signIn($('#token').value.trim(), $('#actor').value.trim()));
  });
  $('#sign-out').addEventListener('click', signOut);
  $('#error-close').addEventListener('click', clearError);
  $('#org').addEventListener('change', (ev) => act(() => openOrg(ev.target.value)));
  $('#refresh').addEventListener('click', () => act(() => showTab(currentTab())));
  for (const b of document.querySelectorAll('#tabs button')) {
    b.addEventListener('click', () => act(() => showTab(b.dataset.tab)));
  }
  $('#members-more').addEventListener('click', () => act(() => loadMembers(true)));
  $('#transfer-form').addEventListener('submit', (ev) => { ev.preventDefault(); act(() => transfer(ev.target)); });
  $('#leave').addEventListener('click', () => act(leave));
  $('#invite-open').addEventListener('click', () => act(openInvite));
  $('#invite-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(() => sendInvite(ev.target));
  });
  $('#invite-cancel').addEventListener('click', closeInvite);
  $('#invite-done').addEventListener('click', closeInvite);
  $('#invite-dialog').addEventListener('cancel', () => { $('#invite-token').textContent = ''; });
  $('#invite-copy').addEventListener('click', () => act(() => navigator.clipboard.writeText($('#invite-token').textContent)));
  $('#activity-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.activityCursors = ['0'];
    act(() => loadActivity('0'));
  });
  $('#activity-next').addEventListener('click', () => act(async () => {
    state.activityCursors.push(state.activityNext);
    await loadActivity(state.activityNext);
  }));
  $('#activity-first').addEventListener('click', () => act(async () => {
    state.activityCursors = ['0'];
    await loadActivity('0');
  }));
  $('#check-form').addEventListener('submit', (ev) => { ev.preventDefault(); act(() => runCheck(ev.target)); });
  $('#project-form').addEventListener('submit', (ev) => { ev.preventDefault(); act(() => showProject(ev.target)); });
  $('#apikey-form').addEventListener('submit', (ev) => { ev.preventDefault(); act(() => createApiKey(ev.target)); });
  $('#resource-form').addEventListener('submit', (ev) => { ev.preventDefault(); act(() => registerResource(ev.target)); });
  $('#settings-form').addEventListener('submit', (ev) => { ev.preventDefault(); act(() => saveSettings(ev.target)); });
  $('#asof-form').addEventListener('submit', (ev) => { ev.preventDefault(); act(() => showAsOf(ev.target)); });
  $('#history-form').addEventListener('submit', (ev) => { ev.preventDefault(); act(() => showHistory(ev.target)); });
  $('#export-jsonl').addEventListener('click', () => act(() => exportActivity('jsonl')));
  $('#export-csv').addEventListener('click', () => act(() => exportActivity('csv')));
  $('#verify-start').addEventListener('click', () => act(verifyChain));
}

async function start() {
  wire();
  const catalogs = await loadCatalogs();
  $('#check-permission').replaceChildren(...catalogs.permissions.map((p) => el('option', p, { value: p })));
  const token = sessionStorage.getItem('roster.token');
  const actor = sessionStorage.getItem('roster.actor');
  if (token && actor) {
    $('#actor').value = actor;
    await act(() => signIn(token, actor));
  }
  document.body.dataset.ready = 'true';
}

start().catch(showError);
