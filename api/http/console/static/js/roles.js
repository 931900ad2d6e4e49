// Which roles the acting member may grant: the server's role listing
// (GET /v1/orgs/{org}/roles), which marks them by the rule ChangeRole applies, custom roles
// included. catalogs.json (built from the domain's presets) still lists the permissions for
// the check tab.
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

// { roles: names the actor may grant, ownerRole, filtered: true (the server marked them),
//   note: what to tell }
export async function grantableRoles(api, org, actorRole) {
  const catalog = (await api.get(path`/v1/orgs/${org}/roles`)) || [];
  const roles = catalog.filter((r) => r.grantable).map((r) => r.name);
  const owner = catalog.find((r) => r.ownerRole);
  return {
    roles,
    ownerRole: owner ? owner.name : '',
    filtered: true,
    note: `As ${actorRole || 'a non-member'} you may grant ${roles.join(', ') || 'no role'}.`,
  };
}
