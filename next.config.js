/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  // undici (the registry client's guarded fetch) loads its own WebAssembly parser, better-sqlite3 a native
  // addon: keep both out of the bundle.
  serverExternalPackages: ["undici", "better-sqlite3"],
};

module.exports = nextConfig;
