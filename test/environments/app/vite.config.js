// Exactly the README's Vite configuration (section "Bundlers, workers and CSP"): the dev
// server's dependency pre-bundling would move losskit's JS away from its .wasm.
export default {
  optimizeDeps: { exclude: ["losskit"] },
};
