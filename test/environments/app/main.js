// The page of the bundler environments (Vite, webpack, Rollup): page checks, and a module
// worker that gets a message posted immediately after `new Worker()`.
import { pageChecks, report } from "./checks.js";

function workerCheck() {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.postMessage({ input: [3], target: [1] });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ error: "the message posted right after new Worker() got no answer in 10 s" }), 10_000);
    worker.onmessage = (e) => (clearTimeout(timer), resolve(e.data));
    worker.onerror = (e) => (clearTimeout(timer), resolve({ error: `worker error: ${e.message}` }));
  });
}

report(Promise.all([pageChecks(), workerCheck()]).then(([page, worker]) => ({ ...page, worker })));
