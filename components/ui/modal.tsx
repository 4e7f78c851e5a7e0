"use client";

import type { ReactNode } from "react";

/**
 * The frame every confirming dialog shares (delete, promote, import, add
 * metadata): a dimmed page, a panel with its title and a close button; what
 * the dialog asks and shows is its own.
 */
export function Modal({ id, title, testId, onClose, children }: { id: string; title: ReactNode; testId: string; onClose: () => void; children: ReactNode }) {
  return (
    <div role="dialog" aria-modal="true" aria-labelledby={id} className="fixed inset-0 z-50 flex items-start justify-center overflow-y-auto bg-black/40 p-4">
      <div className="mt-8 w-full max-w-3xl space-y-4 rounded-lg bg-white p-5 shadow-xl dark:bg-slate-900" data-testid={testId}>
        <div className="flex items-start gap-2">
          <h2 id={id} className="min-w-0 break-words text-lg font-semibold">
            {title}
          </h2>
          <button type="button" onClick={onClose} aria-label="Close" className="ml-auto rounded px-2 hover:bg-slate-100 dark:hover:bg-slate-800">
            ✕
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
