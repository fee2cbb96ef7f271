// A user's page: imports losskit by package name; Vite resolves the "browser" export and
// emits the .wasm as an asset with no configuration.
import { huberLoss, init, simdEnabled } from "losskit";

await init();

window.__result = { simd: simdEnabled(), huber: huberLoss(new Float32Array([0, 3]), new Float32Array([0.5, 0]), { reduction: "sum" }) };
