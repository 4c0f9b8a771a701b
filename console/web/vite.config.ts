import { defineConfig } from "vite";

// No React plugin: esbuild compiles TSX with the automatic runtime (tsconfig "jsx": "react-jsx"); the console does
// not need fast refresh to be built and served by its own process.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      onwarn(warning, warn) {
        // React Query marks its modules "use client" for server-component bundlers; a browser bundle ignores it.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    proxy: { "/api": "http://127.0.0.1:8080", "/auth": "http://127.0.0.1:8080" },
  },
});
