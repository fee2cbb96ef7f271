/** Stable error codes. Tests and users branch on these, never on message text. */
export type LossErrorCode =
  /** Two arguments' shapes disagree, or a shape does not fit its data. */
  | "SHAPE_MISMATCH"
  /** A target holds a value the loss cannot accept (class index out of range, ...). */
  | "INVALID_TARGET"
  /** An option is unknown or outside its domain (negative beta, bad reduction, ...). */
  | "INVALID_OPTION"
  /** An input value is outside the loss's domain where PyTorch raises (BCE input ∉ [0, 1], negative var). */
  | "INVALID_INPUT"
  /** Float32 and Float64 data were mixed, or a float argument got integer data (or the reverse). */
  | "DTYPE_MISMATCH"
  /** An argument is not a typed array, number[], tensor or (where allowed) number. */
  | "INVALID_ARGUMENT"
  /** A disposed wasm tensor was used, or a view of wasm memory (or any typed array) that is detached. */
  | "DISPOSED"
  /**
   * A size wasm32 cannot address (a dim or element count ≥ 2³², one buffer over 2 GiB, a
   * call's buffers over 4 GiB), or wasm memory could not grow for a call or a tensor.
   * Nothing stays allocated and the module keeps working.
   */
  | "OUT_OF_MEMORY"
  /** A loss (or tensor) was used before the wasm module was loaded: `await init()` first (browser entries). */
  | "NOT_INITIALIZED";

/**
 * The error every losskit function throws for bad input: a stable {@link LossErrorCode}
 * and a message naming the function, the argument, what was expected and what was given.
 * After a LossError the module keeps working and has leaked no memory.
 */
export class LossError extends Error {
  readonly code: LossErrorCode;
  constructor(code: LossErrorCode, message: string) {
    super(message);
    this.name = "LossError";
    this.code = code;
  }
}

/** `grad_output` → `gradOutput`: the core names arguments in snake_case, the API in camelCase. */
function camelCase(name: string): string {
  return name
    .split("_")
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join("");
}

/**
 * Rethrows an error from a wasm call as a LossError. The core's error carries its stable
 * `code`, the argument it is about (`arg`, snake_case) and the detail as its message; the
 * LossError's message reads `${func}: ${argument} ${detail}`.
 */
export function rethrow(e: unknown, func: string): never {
  const core = e as { code?: unknown; arg?: unknown; message?: unknown };
  if (e instanceof Error && typeof core.code === "string") {
    const arg = typeof core.arg === "string" ? `${camelCase(core.arg)} ` : "";
    throw new LossError(core.code as LossErrorCode, `${func}: ${arg}${e.message}`);
  }
  throw e;
}

/**
 * Runs `read`, which reads a caller's object, and turns anything but a LossError it throws
 * (a Proxy trap, a throwing getter, a revoked Proxy, …) into a LossError with `code`.
 */
export function guard<T>(code: LossErrorCode, func: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof LossError) throw e;
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : show(e);
    throw new LossError(code, `${func}: ${what} could not be read (${detail})`);
  }
}

const TYPED_ARRAY_TAG = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), Symbol.toStringTag)!.get!;
const TYPED_ARRAY_LENGTH = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), "length")!.get!;

/**
 * Describes a value for messages: `Float32Array(7)`, `number[3]`, `string`. Reads nothing
 * through the value's own methods or getters (a Proxy or a lying subclass cannot throw here).
 */
export function describe(v: unknown): string {
  if (v === null) return "null";
  const name = TYPED_ARRAY_TAG.call(v) as string | undefined;
  if (name !== undefined) return `${name}(${TYPED_ARRAY_LENGTH.call(v) as number})`;
  if (ArrayBuffer.isView(v)) return "DataView";
  try {
    if (Array.isArray(v)) return `array[${(v as unknown[]).length}]`;
  } catch {
    return "array";
  }
  if (typeof v === "object") return "object";
  return typeof v;
}

/** Shows a value in a message: primitives as written in JS (`1n`, `'avg'`, `NaN`), anything else {@link describe}d. */
export function show(v: unknown): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "bigint":
      return `${v}n`;
    case "boolean":
    case "undefined":
      return String(v);
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    default:
      return describe(v);
  }
}
