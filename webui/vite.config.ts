// The dashboard is a static bundle that flexnode serves at / (its webui_dir). The build
// writes to FLEX_WEBUI_OUT (CMake passes <build>/webui) or dist/. `npm run dev` proxies the
// API to a node on FLEX_NODE_URL (default http://127.0.0.1:8080).
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: process.env.FLEX_WEBUI_OUT ?? "dist",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: { "/api": process.env.FLEX_NODE_URL ?? "http://127.0.0.1:8080" },
  },
  test: {
    include: ["tests/unit/**/*.test.ts"],
  },
});
