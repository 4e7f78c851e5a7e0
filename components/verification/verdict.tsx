"use client";

import type { Check, Verdict } from "@/lib/verification/verdict";
import { FORMAT_LABELS, signerText } from "@/lib/verification/verdict";
import type { SignatureResult } from "@/lib/verification/verify-graph";
import { formatDate, shortDigest } from "../format";

/**
 * How each verdict looks everywhere (tag table, artifact page, graph, node
 * panel), declared once. "No policy applies" is grey and dashed, never red:
 * it says nothing is wrong with the signature, only that nobody said whom
 * to trust.
 */
export const VERDICT_STYLES: Record<Verdict, { label: string; chip: string; mark: string; tone: "good" | "bad" | "warn" | "none" }> = {
  verified: { label: "verified", chip: "border border-emerald-500 bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200", mark: "✓", tone: "good" },
  invalid: { label: "invalid", chip: "border border-red-500 bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200", mark: "✗", tone: "bad" },
  revoked: { label: "revoked", chip: "border border-red-500 bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200", mark: "✗", tone: "bad" },
  expired: { label: "expired", chip: "border border-red-400 bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200", mark: "!", tone: "bad" },
  untrusted: { label: "untrusted", chip: "border border-amber-500 bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-200", mark: "?", tone: "warn" },
  "no-policy": { label: "unverified", chip: "border border-dashed border-slate-400 text-slate-600 dark:text-slate-300", mark: "–", tone: "none" },
  unsupported: { label: "unsupported", chip: "border border-dashed border-slate-400 text-slate-600 dark:text-slate-300", mark: "–", tone: "none" },
  error: { label: "unchecked", chip: "border border-dashed border-amber-500 text-amber-800 dark:text-amber-200", mark: "!", tone: "warn" },
};

export function VerdictChip({ verdict, title, className = "" }: { verdict: Verdict; title?: string; className?: string }) {
  const s = VERDICT_STYLES[verdict];
  return (
    <span data-verdict={verdict} title={title} className={`inline-flex h-5 items-center justify-center gap-1 whitespace-nowrap rounded px-1.5 text-xs font-medium ${s.chip} ${className}`}>
      <span aria-hidden>{s.mark}</span>
      {s.label}
    </span>
  );
}

const RESULT_STYLES: Record<Check["result"], { text: string; cls: string }> = {
  passed: { text: "passed", cls: "text-emerald-700 dark:text-emerald-300" },
  failed: { text: "failed", cls: "font-semibold text-red-700 dark:text-red-300" },
  skipped: { text: "skipped", cls: "text-slate-400" },
  logged: { text: "logged", cls: "text-amber-700 dark:text-amber-300" },
};

/** One row per check, in the order they ran: what was checked, the outcome, why. */
export function CheckTable({ checks }: { checks: Check[] }) {
  if (checks.length === 0) return <p className="text-xs text-slate-500">No checks ran.</p>;
  return (
    // Fixed layout: a reason holding a 71-character digest must wrap, not widen the page on a phone.
    <table className="w-full table-fixed text-left text-xs" data-testid="check-table">
      <colgroup>
        <col className="w-24 sm:w-36" />
        <col className="w-14 sm:w-16" />
        <col />
      </colgroup>
      <thead className="sr-only">
        <tr>
          <th>Check</th>
          <th>Result</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {checks.map((c) => (
          <tr key={c.name} data-check={c.name} data-result={c.result} className="align-top">
            <td className="w-24 py-1 pr-2 font-medium sm:w-36">{c.label}</td>
            <td className={`w-14 py-1 pr-2 sm:w-16 ${RESULT_STYLES[c.result].cls}`}>{RESULT_STYLES[c.result].text}</td>
            <td className="py-1 text-slate-600 [overflow-wrap:anywhere] dark:text-slate-300">{c.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A signature as a line: format, signer, verdict, and the check that decided it; the checks fold out. */
export function SignatureItem({ s, open }: { s: SignatureResult; open?: boolean }) {
  const failed = s.checks.find((c) => c.result === "failed");
  const format = s.format === "unknown" ? s.label : FORMAT_LABELS[s.format];
  return (
    <li className="py-2" data-testid="signature" data-verdict={s.verdict} data-digest={s.digest}>
      <details open={open}>
        <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1">
          <VerdictChip verdict={s.verdict} className="w-28" />
          <span className="text-sm font-medium">{format}{s.kind === "attestation" ? " attestation" : ""}</span>
          <span className="min-w-0 break-all text-sm text-slate-600 dark:text-slate-300">{s.signer ? signerText(s.signer) : ""}</span>
          <span className="ml-auto font-mono text-xs text-slate-500">{shortDigest(s.digest)}{s.layer > 0 ? ` #${s.layer + 1}` : ""}</span>
          <span className="basis-full text-xs text-slate-600 [overflow-wrap:anywhere] dark:text-slate-300" data-testid="signature-summary">
            {failed ? <><span className="font-semibold">{failed.label}:</span> {failed.reason}</> : s.summary}
          </span>
        </summary>
        <div className="mt-2 space-y-2 rounded border border-slate-200 p-2 dark:border-slate-800">
          <dl className="grid grid-cols-[6rem_minmax(0,1fr)] gap-x-2 gap-y-0.5 text-xs [overflow-wrap:anywhere] sm:grid-cols-[8rem_minmax(0,1fr)]">
            {s.signer?.subject && <><dt className="text-slate-500">subject</dt><dd className="break-all">{s.signer.subject}</dd></>}
            {s.signer?.issuer && <><dt className="text-slate-500">issued by</dt><dd className="break-all">{s.signer.issuer}</dd></>}
            {s.signer?.san && <><dt className="text-slate-500">identity</dt><dd className="break-all">{s.signer.san}</dd></>}
            {s.signer?.oidcIssuer && <><dt className="text-slate-500">OIDC issuer</dt><dd className="break-all">{s.signer.oidcIssuer}</dd></>}
            {s.signer?.keyName && <><dt className="text-slate-500">key</dt><dd>{s.signer.keyName}</dd></>}
            {s.signingTime && <><dt className="text-slate-500">signed (claimed)</dt><dd>{formatDate(s.signingTime)}</dd></>}
            {s.timestamp && <><dt className="text-slate-500">timestamp</dt><dd className="break-all">{formatDate(s.timestamp.time)} by {s.timestamp.authority}</dd></>}
            {s.policy && <><dt className="text-slate-500">trust policy</dt><dd className="break-all">{s.policy}</dd></>}
          </dl>
          <CheckTable checks={s.checks} />
        </div>
      </details>
    </li>
  );
}
