"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong user name or password.",
  OAuthSignin: "The identity provider could not be reached to start the sign-in. Try again, or ask an administrator to check its configuration.",
  OAuthCallback: "The identity provider's answer could not be verified. Try again.",
  OAuthAccountNotLinked: "This account is linked to another sign-in method.",
  AccessDenied: "The identity provider refused the sign-in.",
  SessionRequired: "Please sign in to see this page.",
  Configuration: "Sign-in is misconfigured on the server; an administrator must check the auth settings.",
};

/** next-auth passes a message thrown by the server (the throttle's "Too many failed sign-ins …") as the error itself. */
function describe(error: string): string {
  return MESSAGES[error] ?? (/^Too many failed sign-ins/.test(error) ? error : `Sign-in failed (${error}).`);
}

export function SignInForm({ local, providers, callbackUrl, error }: { local: boolean; providers: { id: string; name: string }[]; callbackUrl: string; error?: string }) {
  const [message, setMessage] = useState(error ? describe(error) : undefined);
  const [busy, setBusy] = useState(false);
  return (
    <div className="mt-6 space-y-6">
      {message && (
        <p role="alert" data-testid="signin-error" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100">
          {message}
        </p>
      )}
      {local && (
        <form
          className="space-y-3"
          onSubmit={async (e) => {
            e.preventDefault();
            const form = new FormData(e.currentTarget);
            const username = String(form.get("username") ?? "").trim();
            const password = String(form.get("password") ?? "");
            if (!username || !password) {
              setMessage("Enter your user name and password.");
              return;
            }
            setBusy(true);
            const result = await signIn("local", { username, password, redirect: false, callbackUrl });
            setBusy(false);
            if (result?.error) setMessage(describe(result.error));
            else window.location.assign(callbackUrl);
          }}
        >
          <label className="block text-sm">
            User name
            <input name="username" autoComplete="username" className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-900" />
          </label>
          <label className="block text-sm">
            Password
            <input name="password" type="password" autoComplete="current-password" className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-900" />
          </label>
          <button type="submit" disabled={busy} className="w-full rounded-md bg-slate-900 px-3 py-1.5 text-white disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900">
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      )}
      {providers.length > 0 && (
        <div className="space-y-2">
          {providers.map((p) => (
            <button
              key={p.id}
              type="button"
              onClick={() => signIn(p.id, { callbackUrl })}
              className="w-full rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
            >
              Sign in with {p.name}
            </button>
          ))}
        </div>
      )}
      {!local && providers.length === 0 && <p className="text-sm text-slate-600">No sign-in method is configured: add auth.usersFile or auth.oidc to the configuration.</p>}
    </div>
  );
}
