"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { shortDigest } from "../format";
import { ErrorPanel, Loading } from "../ui/primitives";
import { SignatureItem, VerdictChip, VERDICT_STYLES } from "./verdict";
import { signerText } from "@/lib/verification/verdict";
import type { Verdict } from "@/lib/verification/verdict";
import { stableOrder } from "@/lib/verification/signature-order";

const VERDICT_ORDER: Verdict[] = ["verified", "invalid", "revoked", "expired", "untrusted", "error", "no-policy", "unsupported"];

/**
 * "Is this image signed, by whom, and does the signature hold?": every
 * signature of the subject with its verdict and the check that decided it,
 * then the signatures of what is attached to it (an SBOM signed by …).
 */
function useVerification(registry: string, repository: string, reference: string) {
  return useQuery({ queryKey: ["verification", registry, repository, reference], queryFn: ({ signal }) => api.verification(registry, repository, reference, signal) });
}

/** The answer in one line under the title, linking to the section below the graph. */
export function VerdictLine({ registry, repository, reference }: { registry: string; repository: string; reference: string }) {
  const q = useVerification(registry, repository, reference);
  if (!q.data) return <p className="mt-1 h-5 text-sm text-slate-400">{q.isError ? "" : q.isPending ? "Checking signatures…" : ""}</p>;
  const v = q.data.verdict;
  return (
    <p className="mt-1 flex flex-wrap items-center gap-2 text-sm" data-testid="title-verdict">
      {v ? <VerdictChip verdict={v.verdict} /> : <span className="text-slate-500">No signature</span>}
      {v && (
        <a href="#signatures-heading" className="text-slate-600 [overflow-wrap:anywhere] hover:underline dark:text-slate-300">
          {v.verdict === "verified" ? `signed by ${v.signers.map(signerText).join(" and ")}` : v.summary}
        </a>
      )}
    </p>
  );
}

export function SignaturesSection({ registry, repository, reference }: { registry: string; repository: string; reference: string }) {
  const q = useVerification(registry, repository, reference);
  return (
    <section aria-labelledby="signatures-heading" className="space-y-2" data-testid="signatures-section">
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 id="signatures-heading" className="text-lg font-semibold">
          Signatures
        </h2>
        {q.data?.verdict && (
          <span className="flex items-center gap-2 text-sm" data-testid="subject-verdict">
            <VerdictChip verdict={q.data.verdict.verdict} />
            <span className="text-slate-600 dark:text-slate-300">
              {q.data.verdict.verdict === "verified"
                ? `by ${q.data.verdict.signers.map(signerText).join(" and ")} · ${q.data.verdict.verified} of ${q.data.verdict.signatures} signature${q.data.verdict.signatures === 1 ? "" : "s"} verified`
                : `${q.data.verdict.signatures} signature${q.data.verdict.signatures === 1 ? "" : "s"}, none verified`}
            </span>
          </span>
        )}
      </div>
      {q.isPending ? (
        <Loading label="Verifying the signatures" lines={2} />
      ) : q.isError ? (
        <ErrorPanel error={q.error} what="the signatures" />
      ) : (
        <Body data={q.data} />
      )}
    </section>
  );
}

function countByVerdict(list: { verdict: Verdict }[]): string {
  const counts = new Map<Verdict, number>();
  for (const s of list) counts.set(s.verdict, (counts.get(s.verdict) ?? 0) + 1);
  return VERDICT_ORDER.filter((v) => counts.has(v)).map((v) => `${counts.get(v)} ${VERDICT_STYLES[v].label}`).join(", ");
}

function Body({ data }: { data: NonNullable<Awaited<ReturnType<typeof api.verification>>> }) {
  // Verified first, then the most telling failures: the answer to "does it hold?" is the first line.
  const sorted = [...data.signatures].sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) || stableOrder(a, b));
  const ownSet = new Set(data.own);
  const own = sorted.filter((s) => ownSet.has(s.subject));
  const onReferrers = sorted.filter((s) => !ownSet.has(s.subject));
  // The list of attached artifacts' signatures is built when opened, not for every page load (hundreds of rows).
  const [listOpen, setListOpen] = useState(onReferrers.length <= 5);
  if (data.signatures.length === 0) {
    return <p className="text-sm text-slate-600 dark:text-slate-300">No signature points at this artifact{data.trust.notation.policy || data.trust.cosign.keys.length || data.trust.cosign.identities.length ? "" : "; no trust is configured either (README, Verification)"}.</p>;
  }
  return (
    <div className="space-y-3">
      {own.length > 0 && (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 px-3 dark:divide-slate-800 dark:border-slate-800">
          {own.map((s) => (
            <SignatureItem key={`${s.digest}-${s.layer}-${s.subject}`} s={s} />
          ))}
        </ul>
      )}
      {onReferrers.length > 0 && (
        // Many referrers can be signed (hundreds of SBOMs): counted by verdict, listed on demand.
        <details open={listOpen} onToggle={(e) => setListOpen(e.currentTarget.open)}>
          <summary className="cursor-pointer text-sm font-semibold">
            Signatures of attached artifacts ({onReferrers.length}: {countByVerdict(onReferrers)})
          </summary>
          {listOpen && (
            <ul className="mt-1 divide-y divide-slate-200 rounded-lg border border-slate-200 px-3 dark:divide-slate-800 dark:border-slate-800">
              {onReferrers.slice(0, 200).map((s) => (
                <SignatureItem key={`${s.digest}-${s.layer}-${s.subject}`} s={{ ...s, summary: `on ${shortDigest(s.subject)}: ${s.summary}` }} />
              ))}
            </ul>
          )}
          {listOpen && onReferrers.length > 200 && <p className="text-xs text-slate-500">The first 200 are shown; the API lists them all.</p>}
        </details>
      )}
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Checked offline against the server&apos;s trust configuration for <span className="font-mono">{data.scope}</span>.
      </p>
    </div>
  );
}
