"use client";

/**
 * Sign out: next-auth's own two steps (a CSRF token, then a form POST to its
 * sign-out route), written out here because importing next-auth's client
 * library into the header would add it to every page's JavaScript.
 */
async function signOut(): Promise<void> {
  try {
    const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
    // The answer clears the session cookie; where to go next is always the sign-in page.
    await fetch("/api/auth/signout", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, callbackUrl: "/signin", json: "true" }),
    });
    window.location.assign("/signin");
  } catch {
    window.location.assign("/signin");
  }
}

export function SignOutButton() {
  return (
    <button
      type="button"
      onClick={() => void signOut()}
      className="rounded-md border border-slate-300 px-2 py-1 text-xs text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
    >
      Sign out
    </button>
  );
}
