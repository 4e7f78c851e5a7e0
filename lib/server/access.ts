import { patternMatches } from "../oci/pattern";
import { RIGHTS, type AccessConfig, type Grant, type Right } from "./config";

/**
 * Who may do what, where. Rights (list, read, pull, delete, promote, admin)
 * are granted by roles on a registry (id or "*") and a repository pattern;
 * roles are assigned to users and to groups. Deny by default. Pure: the route
 * helper asks, and every route goes through the route helper.
 */

export interface Principal {
  /** User name (local), or the login / e-mail an identity provider gave. */
  id: string;
  name: string;
  provider: string;
  groups: string[];
}

/** Everyone, with every right: the server when sign-in is off. */
export const OPEN_ACCESS: Principal = { id: "anonymous", name: "anonymous (open access)", provider: "none", groups: [] };

export { patternMatches };

export class AccessPolicy {
  constructor(
    private readonly config: AccessConfig,
    /** False when sign-in is off: everything is allowed. */
    readonly enforced: boolean,
  ) {}

  rolesOf(p: Principal): string[] {
    const roles = new Set(this.config.users[p.id] ?? []);
    for (const g of p.groups) for (const r of this.config.groups[g] ?? []) roles.add(r);
    return [...roles].sort();
  }

  private grants(p: Principal): Grant[] {
    return this.rolesOf(p).flatMap((r) => this.config.roles[r] ?? []);
  }

  /** May `p` use `right` on this repository (or, without one, on some repository of the registry)? */
  can(p: Principal, right: Right, registry: string, repository?: string): boolean {
    if (!this.enforced) return true;
    return this.grants(p).some(
      (g) => g.rights.includes(right) && (g.registry === "*" || g.registry === registry) && (repository === undefined || patternMatches(g.repositories, repository)),
    );
  }

  /** The `admin` right on every registry: audit trail and configuration. */
  isAdmin(p: Principal): boolean {
    if (!this.enforced) return true;
    return this.grants(p).some((g) => g.rights.includes("admin") && g.registry === "*");
  }

  /** Rights `p` holds on a repository (or anywhere in a registry), for the UI. */
  rightsOn(p: Principal, registry: string, repository?: string): Right[] {
    const all: Right[] = [...RIGHTS];
    return all.filter((r) => this.can(p, r, registry, repository));
  }

  /** What a refusal says: who, which right, where, and what to do. */
  explain(p: Principal, right: Right, registry: string, repository?: string): string {
    const where = repository ? `${registry}/${repository}` : `registry ${registry}`;
    return `${p.name} lacks the "${right}" right on ${where}; ask an administrator for a role that grants it`;
  }
}
