import { DISCOVERY_METHODS, type DiscoveryMethod } from "@/lib/supply-chain/discover";

/** How an artifact can be attached to its subject, in words a reviewer knows. */
export const METHOD_LABELS: Record<DiscoveryMethod, string> = {
  "referrers-api": "OCI 1.1 referrers API",
  "tag-schema": "referrers tag schema (sha256-<hex> index tags)",
  "cosign-tag": "cosign tags (.sig, .att, .sbom)",
  "oras-draft": "ORAS artifacts draft endpoint",
  "index-attestation": "BuildKit attestations inside an index",
};

export function DiscoveryMethods() {
  return (
    <ul className="mt-2 list-disc pl-6 text-sm text-slate-700 dark:text-slate-300">
      {DISCOVERY_METHODS.map((m) => (
        <li key={m}>{METHOD_LABELS[m]}</li>
      ))}
    </ul>
  );
}
