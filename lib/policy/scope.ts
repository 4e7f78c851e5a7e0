import { patternMatches } from "../oci/pattern";
import type { Policy } from "./schema";

/**
 * Whether a policy covers an image: its registry, its repository (access-role
 * patterns) and, when the image is known by its tags, one of them. An image
 * asked for by digest alone is judged by every policy of its repository
 * (its tags are not known there). `newest` is applied where whole tag lists
 * are at hand (coverage), not to one image.
 */
export function inScope(policy: Policy, registry: string, repository: string, tags?: readonly string[]): boolean {
  const s = policy.scope;
  if (!s.registries.some((r) => r === "*" || r === registry)) return false;
  if (!s.repositories.some((p) => patternMatches(p, repository))) return false;
  if (tags === undefined || s.tags.some((t) => t === "*")) return true;
  return tags.some((tag) => s.tags.some((p) => patternMatches(p, tag)));
}
