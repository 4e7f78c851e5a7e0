/** Next.js calls this once at server start. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkStartup } = await import("./lib/server/startup");
  checkStartup();
}
