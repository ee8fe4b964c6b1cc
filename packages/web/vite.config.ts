import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { compiledMarkdown } from "./src/docs/markdown-plugin.ts";

export default defineConfig({
  plugins: [compiledMarkdown(), react()],
  // No source maps in production builds: the server would hand the whole source to anyone who asks.
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: {
    // In development the API runs as its own process; the proxy keeps the app same-origin,
    // exactly as it is when cogno-server serves the built files.
    proxy: { "/api": { target: "http://127.0.0.1:8080", changeOrigin: false } },
  },
});
