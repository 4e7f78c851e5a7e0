"use client";

import { useQuery } from "@tanstack/react-query";
import type { Outcome, PolicyResult } from "@/lib/policy/evaluate";
import { RULE_LABELS } from "@/lib/policy/evaluate";
import { api } from "../api";
import { shortDigest } from "../format";
import { ErrorPanel, Loading } from "../ui/primitives";

/**
 * "May this image ship?": every policy that covers it, each rule with its
 * outcome and the reason, and links to the evidence in the graph. Audit-mode
 * policies are shown but said not to block.
 */

export const OUTCOME_STYLES: Record<Outcome | "none", { label: string; mark: string; chip: string }> = {
  pass: { label: "pass", mark: "✓", chip: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200" },
  fail: { label: "fail", mark: "✗", chip: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200" },
  unknown: { label: "unknown", mark: "?", chip: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200" },
  none: { label: "no policy", mark: "–", chip: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300" },
};

export function OutcomeChip({ outcome, title, className = "", prefix }: { outcome: Outcome | "none"; title?: string; className?: string; prefix?: string }) {
  const s = OUTCOME_STYLES[outcome];
  return (
    <span data-outcome={outcome} title={title} className={`inline-flex h-5 items-center justify-center gap-1 whitespace-nowrap rounded px-1.5 text-xs font-medium ${s.chip} ${className}`}>
      <span aria-hidden>{s.mark}</span>
      {prefix ? `${prefix} ${s.label}` : s.label}
    </span>
  );
}

export function usePolicy(registry: string, repository: string, reference: string) {
  return useQuery({ queryKey: ["policy", registry, repository, reference], queryFn: ({ signal }) => api.policy(registry, repository, reference, signal) });
}

export function PolicySection({ registry, repository, reference, nodeLink }: { registry: string; repository: string; reference: string; nodeLink: (digest: string) => string }) {
  const q = usePolicy(registry, repository, reference);
  if (q.data && q.data.configured === 0) return null;
  return (
    <section aria-labelledby="policy-heading" className="space-y-2" data-testid="policy-section">
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 id="policy-heading" className="text-lg font-semibold">
          Policies
        </h2>
        {q.data && q.data.outcome !== "none" && (
          <span className="flex items-center gap-2 text-sm" data-testid="policy-outcome">
            <OutcomeChip outcome={q.data.outcome} />
            <span className="text-slate-600 dark:text-slate-300">{q.data.outcome === "pass" ? "may ship under every enforced policy" : q.data.outcome === "fail" ? "an enforced policy fails" : "an enforced policy cannot be decided"}</span>
          </span>
        )}
      </div>
      {q.isPending ? (
        <Loading label="Judging the policies" />
      ) : q.isError ? (
        <ErrorPanel error={q.error} what="the policy results" />
      ) : q.data.results.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">No policy covers this image ({q.data.configured} configured; their scope names registries, repositories and tags).</p>
      ) : (
        <ul className="space-y-3">
          {q.data.results.map((r) => (
            <PolicyItem key={r.policy} result={r} nodeLink={nodeLink} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PolicyItem({ result, nodeLink }: { result: PolicyResult; nodeLink: (digest: string) => string }) {
  return (
    <li className="rounded border border-slate-200 p-3 dark:border-slate-800" data-testid="policy-result" data-policy={result.policy}>
      <div className="flex flex-wrap items-center gap-2">
        <OutcomeChip outcome={result.outcome} className="w-20" />
        <span className="font-medium">{result.policy}</span>
        {result.mode === "audit" && <span className="text-xs text-slate-500">audit only: shown, never blocks</span>}
      </div>
      <ul className="mt-2 divide-y divide-slate-100 text-sm dark:divide-slate-800">
        {result.rules.map((rule) => (
          <li key={rule.rule} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 py-1.5" data-testid="policy-rule" data-rule={rule.rule}>
            <OutcomeChip outcome={rule.outcome} className="w-20 shrink-0" />
            <span className="w-24 shrink-0 font-medium">{RULE_LABELS[rule.rule]}</span>
            <span className="min-w-0 basis-full text-slate-700 [overflow-wrap:anywhere] dark:text-slate-300 md:flex-1 md:basis-auto">
              {rule.reason}
              {rule.evidence.length > 0 && (
                <span className="ml-2 inline-flex flex-wrap gap-2 text-xs">
                  {rule.evidence.slice(0, 4).map((d) => (
                    <a key={d} href={nodeLink(d)} className="font-mono text-blue-700 hover:underline dark:text-blue-300" title={`show ${d} in the graph`}>
                      {shortDigest(d)}
                    </a>
                  ))}
                </span>
              )}
            </span>
          </li>
        ))}
      </ul>
    </li>
  );
}
