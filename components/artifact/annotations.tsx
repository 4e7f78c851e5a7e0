import { safeHttpUrl } from "../format";

/** Annotations are untrusted: values are text, and only http(s) URLs become links (opened without referrer or opener). */
export function Annotations({ values }: { values?: Record<string, string> }) {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400">None.</p>;
  return (
    <dl className="mt-1 space-y-1.5 text-xs">
      {entries.map(([k, v]) => {
        const url = safeHttpUrl(v);
        return (
          <div key={k}>
            <dt className="break-all font-mono text-slate-500 dark:text-slate-400">{k}</dt>
            <dd className="whitespace-pre-wrap break-words font-mono">
              {url ? (
                <a href={url} target="_blank" rel="noopener noreferrer nofollow" className="break-all text-blue-700 underline dark:text-blue-300">
                  {v}
                </a>
              ) : (
                v
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
