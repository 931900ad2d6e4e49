// Which roles the acting member may grant. The API has no such listing, so the console reads
// the organization's preset from its first activity entry ("organization.created", after =
// "Name (preset)") and the preset catalogs built into rosterd from the domain's own code
// (catalogs.json: each role and the roles RoleCatalog::Covers lets it grant). Where it cannot
// tell (the actor may not read the audit log, or a custom role), it offers what it knows and
// the server's refusal is shown; the server decides either way.
import { path } from './api.js';

let catalogs = null;

export async function loadCatalogs() {
  if (!catalogs) {
    const res = await fetch('/console/catalogs.json');
    if (!res.ok) throw new Error(`catalogs.json: HTTP ${res.status}`);
    catalogs = await res.json();
  }
  return catalogs;
}

async function presetOf(api, org) {
  const page = await api.get(path`/v1/orgs/${org}/activity`, { action: 'organization.created', limit: 1 });
  const entry = page.entries[0];
  const match = entry && /\(([a-z]+)\)$/.exec(entry.after);
  return match ? match[1] : '';
}

// { roles: names offered, ownerRole (when known), filtered: whether they follow the catalog,
//   note: what to tell }
export async function grantableRoles(api, org, actorRole, members) {
  const all = await loadCatalogs();
  const seen = [...new Set(members.map((m) => m.role))];
  let preset = '';
  try {
    preset = await presetOf(api, org);
  } catch {
    preset = ''; // no audit.view: fall back below
  }
  const catalog = all.presets[preset];
  if (!catalog) {
    return {
      roles: seen,
      filtered: false,
      note: 'The roles offered are those members hold; the server refuses any you may not grant.',
    };
  }
  const names = catalog.roles.map((r) => r.name);
  const mine = catalog.roles.find((r) => r.name === actorRole);
  // Custom roles (not in the preset) are offered as well: the server checks them.
  const custom = seen.filter((r) => !names.includes(r));
  const roles = (mine ? mine.covers : []).concat(custom);
  return {
    roles,
    ownerRole: catalog.ownerRole,
    filtered: custom.length === 0,
    note: `Preset ${preset}: as ${actorRole || 'a non-member'} you may grant ${roles.join(', ') || 'no role'}.`,
  };
}
