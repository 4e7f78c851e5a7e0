/** Test support: wait until a check holds (asked every 200 ms), or fail naming what did not happen. */
export async function until(what: string, check: () => Promise<boolean>, seconds = 20): Promise<void> {
  for (let i = 0; i < seconds * 5; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not happen within ${seconds} s`);
}
