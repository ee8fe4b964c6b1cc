import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: {
    // In development the API runs as its own process; the proxy keeps the app same-origin,
    // exactly as it is when cogno-server serves the built files.
    proxy: { "/api": { target: "http://127.0.0.1:8080", changeOrigin: false } },
  },
});
