import Link from "next/link";
import { Fragment } from "react";
import { href } from "../api";

const DIGEST = /(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})/g;

/** Digests that name manifests (the subject, an index's entries); every other digest is a blob. */
function manifestDigests(raw: string): Set<string> {
  const out = new Set<string>();
  try {
    const doc = JSON.parse(raw) as { subject?: { digest?: unknown }; manifests?: { digest?: unknown }[] };
    if (typeof doc.subject?.digest === "string") out.add(doc.subject.digest);
    for (const m of Array.isArray(doc.manifests) ? doc.manifests : []) if (typeof m?.digest === "string") out.add(m.digest);
  } catch {
    // not JSON
  }
  return out;
}

/**
 * The manifest as sent, pretty-printed, with every digest a link: manifests
 * open as artifact pages, blobs as a preview. Text only; nothing is parsed as markup.
 */
export function RawJson({ raw, registry, repository, onBlob }: { raw: string; registry: string; repository: string; onBlob?: (digest: string) => void }) {
  const manifests = manifestDigests(raw);
  let pretty = raw;
  try {
    pretty = JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    // not JSON: show as sent
  }
  const lines = pretty.split("\n");
  return (
    <pre className="mt-2 max-h-[32rem] overflow-auto rounded-lg bg-slate-100 p-3 font-mono text-xs leading-relaxed dark:bg-slate-900">
      {lines.map((line, i) => {
        const parts = line.split(DIGEST);
        return (
          <Fragment key={i}>
            {parts.map((p, j) =>
              j % 2 === 0 ? (
                <Fragment key={j}>{p}</Fragment>
              ) : manifests.has(p) ? (
                <Link key={j} href={href.artifact(registry, repository, p)} className="text-blue-700 underline dark:text-blue-300" prefetch={false}>
                  {p}
                </Link>
              ) : (
                <button key={j} type="button" onClick={() => onBlob?.(p)} className="text-blue-700 underline dark:text-blue-300" title="Preview this blob">
                  {p}
                </button>
              ),
            )}
            {"\n"}
          </Fragment>
        );
      })}
    </pre>
  );
}
