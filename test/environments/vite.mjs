// Runs one Vite major on the app in this directory's copy (target/environments/), in its own
// process so each version loads its own Vite. `node vite.mjs <vite5|vite6|vite7|vite8> build <root> <outDir>`
// builds and exits; `... dev <root>` serves and prints {"url": ...} until killed. The app's
// vite.config.js (the README's configuration) is picked up from <root> as a user's would be.
const [pkg, mode, root, outDir] = process.argv.slice(2);
const vite = await import(pkg);

if (mode === "build") {
  await vite.build({ root, logLevel: "warn", build: { outDir, emptyOutDir: true } });
} else {
  const server = await vite.createServer({ root, logLevel: "warn", server: { host: "127.0.0.1", port: 0, strictPort: false } });
  await server.listen();
  const address = server.httpServer.address();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${address.port}/` }));
}
