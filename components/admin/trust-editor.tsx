"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import type { TrustView } from "@/lib/server/api/trust";
import type { TrustSource } from "@/lib/server/verification";
import { apiGet, apiPost } from "../api";
import { formatDate, shortDigest } from "../format";
import { Chip, ErrorPanel, Loading } from "../ui/primitives";

type Change = Record<string, unknown> & { action: string };

/** The trust in force, part by part, with its source; forms change the parts the configuration file leaves open. */
export function TrustEditor() {
  const client = useQueryClient();
  const trust = useQuery({ queryKey: ["trust"], queryFn: ({ signal }) => apiGet<TrustView>("/api/trust", {}, signal) });
  const [notice, setNotice] = useState<string>();
  const change = useMutation({
    mutationFn: (body: Change) => apiPost<{ message: string; view: TrustView }>("/api/trust", body),
    onSuccess: (r) => {
      client.setQueryData(["trust"], r.view);
      // Verdicts depend on trust: every cached verification and status is stale now.
      void client.invalidateQueries({ predicate: (q) => ["verification", "graph", "status"].includes(String(q.queryKey[0])) });
      setNotice(r.message);
    },
  });
  if (trust.isPending) return <Loading label="Loading the trust configuration" />;
  if (trust.isError) return <ErrorPanel error={trust.error} what="the trust configuration" />;
  const t = trust.data;
  const can = (source: TrustSource) => t.editable && source !== "config";
  const submit = (body: Change) => {
    setNotice(undefined);
    change.mutate(body);
  };
  return (
    <div className="space-y-6" data-testid="trust-editor">
      {!t.editable && <p className="rounded border first-letter:uppercase border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">{t.whyNotEditable}.</p>}
      {notice && (
        <p role="status" className="rounded border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100">
          Saved: {notice}.
        </p>
      )}
      {change.isError && <ErrorPanel error={change.error} what="the change" />}

      <Part title="Notary Project" source={t.sources.notation} editable={t.editable}>
        <h3 className="text-sm font-semibold">Trust policy</h3>
        {t.notation.statements.length === 0 ? (
          <p className="text-sm text-slate-500">No trust policy: Notary signatures are shown as “unverified”.</p>
        ) : (
          <table className="w-full text-left text-xs" data-testid="trust-statements">
            <thead className="text-slate-500">
              <tr>
                <th className="py-1 pr-2">statement</th>
                <th className="py-1 pr-2">registry scopes</th>
                <th className="py-1 pr-2">level</th>
                <th className="py-1 pr-2">trust stores</th>
                <th className="py-1">trusted identities</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {t.notation.statements.map((s) => (
                <tr key={s.name} className="align-top">
                  <td className="py-1 pr-2 font-medium">{s.name}</td>
                  <td className="break-all py-1 pr-2 font-mono">{s.scopes.join(", ")}</td>
                  <td className="py-1 pr-2">{s.level}</td>
                  <td className="py-1 pr-2 font-mono">{s.trustStores.join(", ") || "—"}</td>
                  <td className="break-all py-1">{s.trustedIdentities.join("; ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {can(t.sources.notation) && (
          <TextForm label="Replace the trust policy (notation's trustpolicy.json)" field="policy" placeholder='{"version": "1.0", "trustPolicies": [...]}' busy={change.isPending} onSubmit={(policy) => submit({ action: "set-trust-policy", policy })} />
        )}
        <h3 className="pt-2 text-sm font-semibold">Trust stores</h3>
        {t.notation.stores.length === 0 && <p className="text-sm text-slate-500">No trust store.</p>}
        {t.notation.stores.map((s) => (
          <div key={`${s.type}:${s.name}`} data-testid="trust-store">
            <p className="font-mono text-xs font-semibold">
              {s.type}:{s.name}
            </p>
            <ul className="text-xs">
              {s.certificates.map((c) => (
                <li key={c.sha256} className="flex flex-wrap items-center gap-2 py-0.5">
                  <span className="break-all">{c.subject}</span>
                  <span className="text-slate-500">until {formatDate(c.notAfter)}</span>
                  <span className="font-mono text-slate-500" title={c.sha256}>
                    SHA-256 {c.sha256.slice(0, 16)}…
                  </span>
                  {can(t.sources.notation) && (
                    <button type="button" className="text-red-700 underline dark:text-red-300" onClick={() => submit({ action: "remove-certificate", storeType: s.type, storeName: s.name, sha256: c.sha256 })}>
                      Remove
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))}
        {can(t.sources.notation) && <CertificateForm busy={change.isPending} onSubmit={(storeType, storeName, pem) => submit({ action: "add-certificate", storeType, storeName, pem })} />}
        {t.notation.crls.length > 0 && <p className="text-xs text-slate-500">CRLs for {t.notation.crls.join(", ")} (set in the configuration file).</p>}
      </Part>

      <Part title="Sigstore trusted root" source={t.sources.sigstore} editable={t.editable}>
        {t.sigstore.trustedRoot ? (
          <p className="text-sm">
            {t.sigstore.trustedRoot.certificateAuthorities} certificate authorities, {t.sigstore.trustedRoot.tlogs} transparency logs, {t.sigstore.trustedRoot.ctlogs} CT logs,{" "}
            {t.sigstore.trustedRoot.timestampAuthorities} timestamp authorities.
          </p>
        ) : (
          <p className="text-sm text-slate-500">None: keyless cosign signatures and Sigstore bundles are “unverified”; Rekor entries of key signatures are not checked.</p>
        )}
        {can(t.sources.sigstore) && (
          <TextForm label="Replace the trusted root (trusted_root.json)" field="trustedRoot" placeholder='{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", ...}' busy={change.isPending} onSubmit={(trustedRoot) => submit({ action: "set-trusted-root", trustedRoot })} />
        )}
      </Part>

      <Part title="cosign keys and keyless identities" source={t.sources.cosign} editable={t.editable}>
        <ul className="text-sm" data-testid="cosign-keys">
          {t.cosign.keys.length === 0 && <li className="text-slate-500">No public key.</li>}
          {t.cosign.keys.map((k) => (
            <li key={k.name} className="flex flex-wrap items-center gap-2">
              <span className="font-medium">key “{k.name}”</span>
              <span className="font-mono text-xs">{k.scopes.join(", ")}</span>
              <span className="font-mono text-xs text-slate-500" title={k.fingerprint}>
                {shortDigest(`sha256:${k.fingerprint}`)}
              </span>
              {can(t.sources.cosign) && (
                <button type="button" className="text-xs text-red-700 underline dark:text-red-300" onClick={() => submit({ action: "remove-cosign-key", name: k.name })}>
                  Remove
                </button>
              )}
            </li>
          ))}
          {t.cosign.identities.map((i) => (
            <li key={i.name} className="flex flex-wrap items-center gap-2">
              <span className="font-medium">identity “{i.name}”</span>
              <span className="break-all text-xs">
                {i.subject} from {i.issuer}
              </span>
              <span className="font-mono text-xs">{i.scopes.join(", ")}</span>
              {can(t.sources.cosign) && (
                <button type="button" className="text-xs text-red-700 underline dark:text-red-300" onClick={() => submit({ action: "remove-identity", name: i.name })}>
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
        {can(t.sources.cosign) && <KeyForm busy={change.isPending} onSubmit={(body) => submit(body)} />}
      </Part>
      <p className="text-xs text-slate-500">
        Trust hash {t.hash}
        {t.managedDir ? ` · changes made here are kept in ${t.managedDir}` : ""}.
      </p>
    </div>
  );
}

const SOURCE_TEXT: Record<TrustSource, string> = { config: "set in the configuration file", managed: "set here", none: "not set" };

function Part({ title, source, editable, children }: { title: string; source: TrustSource; editable: boolean; children: ReactNode }) {
  return (
    <section className="space-y-2 rounded-lg border border-slate-200 p-4 dark:border-slate-800" aria-label={title}>
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-lg font-semibold">{title}</h2>
        <Chip tone={source === "config" ? "blue" : source === "managed" ? "green" : "slate"}>{SOURCE_TEXT[source]}</Chip>
        {source === "config" && editable && <span className="text-xs text-slate-500">change it in the configuration file, which stays the source of truth</span>}
      </div>
      {children}
    </section>
  );
}

const input = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";
const button = "rounded-md border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-50 dark:hover:bg-slate-800";

function TextForm({ label, field, placeholder, busy, onSubmit }: { label: string; field: string; placeholder: string; busy: boolean; onSubmit: (text: string) => void }) {
  const [text, setText] = useState("");
  return (
    <form
      className="space-y-1"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(text);
      }}
    >
      <label className="block text-xs font-medium" htmlFor={`trust-${field}`}>
        {label}
      </label>
      <textarea id={`trust-${field}`} value={text} onChange={(e) => setText(e.target.value)} rows={4} placeholder={placeholder} className={`${input} w-full font-mono text-xs`} />
      <button type="submit" className={button} disabled={busy || !text.trim()}>
        Save
      </button>
    </form>
  );
}

function CertificateForm({ busy, onSubmit }: { busy: boolean; onSubmit: (type: string, name: string, pem: string) => void }) {
  const [type, setType] = useState("ca");
  const [name, setName] = useState("");
  const [pem, setPem] = useState("");
  return (
    <form
      className="space-y-1"
      aria-label="Add certificates to a trust store"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(type, name, pem);
      }}
    >
      <p className="text-xs font-medium">Add certificates to a trust store</p>
      <div className="flex flex-wrap gap-2">
        <select aria-label="Store type" value={type} onChange={(e) => setType(e.target.value)} className={input}>
          <option value="ca">ca</option>
          <option value="signingAuthority">signingAuthority</option>
          <option value="tsa">tsa</option>
        </select>
        <input aria-label="Store name" value={name} onChange={(e) => setName(e.target.value)} placeholder="store name, e.g. wabbit-networks" className={input} />
      </div>
      <textarea aria-label="Certificates (PEM)" value={pem} onChange={(e) => setPem(e.target.value)} rows={4} placeholder="-----BEGIN CERTIFICATE-----" className={`${input} w-full font-mono text-xs`} />
      <button type="submit" className={button} disabled={busy || !name || !pem.trim()}>
        Add
      </button>
    </form>
  );
}

function KeyForm({ busy, onSubmit }: { busy: boolean; onSubmit: (body: Change) => void }) {
  const [kind, setKind] = useState<"key" | "identity">("key");
  const [name, setName] = useState("");
  const [pem, setPem] = useState("");
  const [subject, setSubject] = useState("");
  const [issuer, setIssuer] = useState("");
  const [scopes, setScopes] = useState("*");
  const scopeList = scopes.split(/[\s,]+/).filter(Boolean);
  return (
    <form
      className="space-y-1"
      aria-label="Add a cosign key or keyless identity"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(kind === "key" ? { action: "add-cosign-key", name, pem, scopes: scopeList } : { action: "add-identity", name, subjectRegExp: subject, issuer, scopes: scopeList });
      }}
    >
      <div className="flex flex-wrap gap-2">
        <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value as "key" | "identity")} className={input}>
          <option value="key">public key</option>
          <option value="identity">keyless identity</option>
        </select>
        <input aria-label="Name" value={name} onChange={(e) => setName(e.target.value)} placeholder="name" className={input} />
        <input aria-label="Scopes" value={scopes} onChange={(e) => setScopes(e.target.value)} placeholder="host/repository globs" className={`${input} font-mono`} />
      </div>
      {kind === "key" ? (
        <textarea aria-label="Public key (PEM)" value={pem} onChange={(e) => setPem(e.target.value)} rows={3} placeholder="-----BEGIN PUBLIC KEY-----" className={`${input} w-full font-mono text-xs`} />
      ) : (
        <div className="flex flex-wrap gap-2">
          <input aria-label="Identity (regular expression)" value={subject} onChange={(e) => setSubject(e.target.value)} placeholder="^https://github.com/acme/" className={`${input} flex-1 font-mono`} />
          <input aria-label="OIDC issuer" value={issuer} onChange={(e) => setIssuer(e.target.value)} placeholder="https://token.actions.githubusercontent.com" className={`${input} flex-1 font-mono`} />
        </div>
      )}
      <button type="submit" className={button} disabled={busy || !name || scopeList.length === 0 || (kind === "key" ? !pem.trim() : !subject || !issuer)}>
        Add
      </button>
    </form>
  );
}
