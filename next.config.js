/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  // undici (the registry client's guarded fetch) loads its own WebAssembly parser: keep it out of the bundle.
  serverExternalPackages: ["undici"],
};

module.exports = nextConfig;
