// Deterministic data for the benchmarks: a xorshift32 stream, u in (0, 1), and normals by
// Box–Muller. Every bench file draws from this one generator, so a seed means the same data.
export function rng(seed) {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { u, normal };
}
