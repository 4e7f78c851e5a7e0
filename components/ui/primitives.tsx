"use client";

import { useState, type ReactNode } from "react";
import { ApiError } from "../api";

/** Small building blocks used on every page. */

export function ErrorPanel({ error, what }: { error: unknown; what: string }) {
  const e = error instanceof ApiError ? error : undefined;
  return (
    <div role="alert" data-testid="error" className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100">
      <p className="font-medium">Could not load {what}</p>
      <p className="mt-1 break-words">{e?.message ?? (error instanceof Error ? error.message : String(error))}</p>
      {e && (
        <p className="mt-1 text-xs opacity-80">
          {e.code}
          {e.registry ? ` · registry ${e.registry}` : ""}
          {e.upstreamStatus ? ` · registry answered HTTP ${e.upstreamStatus}` : ""}
          {e.status ? ` · HTTP ${e.status}` : ""}
        </p>
      )}
    </div>
  );
}

export function Skeleton({ className = "" }: { className?: string }) {
  return <div aria-hidden className={`animate-pulse rounded bg-slate-200 dark:bg-slate-800 ${className}`} />;
}

export function Loading({ label, lines = 3 }: { label: string; lines?: number }) {
  return (
    <div role="status" aria-live="polite" className="space-y-2">
      <span className="sr-only">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} className="h-6 w-full" />
      ))}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 p-6 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-300">
      <p className="font-medium text-slate-800 dark:text-slate-100">{title}</p>
      {children && <div className="mt-1">{children}</div>}
    </div>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={`Copy ${label}`}
      title={`Copy ${label}`}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Clipboard refused (insecure context): select-and-copy fallback.
          const t = document.createElement("textarea");
          t.value = text;
          document.body.appendChild(t);
          t.select();
          document.execCommand("copy");
          t.remove();
        }
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
      className="inline-flex w-14 shrink-0 justify-center rounded border border-slate-300 px-1.5 py-0.5 text-xs text-slate-600 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800"
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

export function Chip({ children, tone = "slate", title }: { children: ReactNode; tone?: "slate" | "green" | "red" | "amber" | "blue"; title?: string }) {
  const tones = {
    slate: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200",
    green: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
    red: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
    amber: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
    blue: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  };
  return (
    <span title={title} className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ${tones[tone]}`}>
      {children}
    </span>
  );
}
