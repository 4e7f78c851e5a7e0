/**
 * Structured logs: one JSON object per line on stdout (stderr for errors),
 * ready for a log pipeline. Never given secrets: URLs are logged without
 * query strings, which is where a token realm's parameters would be.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogSink {
  (line: string, level: LogLevel): void;
}

let sink: LogSink = (line, level) => {
  if (level === "error" || level === "warn") process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
};
let minimum: LogLevel = (process.env.CHAINSIGHT_LOG_LEVEL as LogLevel | undefined) ?? "info";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function setLogSink(next: LogSink, level: LogLevel = minimum): void {
  sink = next;
  minimum = level;
}

export function log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < (ORDER[minimum] ?? 20)) return;
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, event };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) entry[k] = v;
  sink(JSON.stringify(entry), level);
}

/** A URL as logged: origin and path, no query (tokens, scopes) and no user info. */
export function loggableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid url)";
  }
}

/** The repository named by a distribution API path, for log fields. */
export function repositoryOfPath(url: string): string | undefined {
  try {
    const m = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers|_oras)\//.exec(new URL(url).pathname);
    return m?.[1];
  } catch {
    return undefined;
  }
}
