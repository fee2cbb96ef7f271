// Module resolve hook: tfjs-core's ESM build (dist/*.js) uses extensionless relative imports
// ('./gradients/Abs_grad'), which Node's ESM resolver rejects. The CJS node bundle that
// tfjs-backend-{cpu,wasm} use ships no gradient definitions, so to get tf.grad working in
// Node without the umbrella @tensorflow/tfjs package we load
// @tensorflow/tfjs-core/dist/register_all_gradients.js through this hook (adds ".js").
// Registries and the engine live on globalThis, so the gradients register into the same
// engine the CJS bundle uses.
export async function resolve(specifier, context, next) {
  const relative = specifier.startsWith("./") || specifier.startsWith("../");
  if (!relative || /\.[cm]?js$/.test(specifier) || !context.parentURL?.includes("/@tensorflow/")) return next(specifier, context);
  try {
    return await next(specifier + ".js", context);
  } catch {
    try {
      return await next(specifier + "/index.js", context);
    } catch {
      return next(specifier, context);
    }
  }
}
