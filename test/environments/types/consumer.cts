// A TypeScript CommonJS consumer of the packed package (its types come from losskit.d.cts).
import losskit = require("losskit");

const grad: Float64Array = losskit.mseLoss.withGrad(new Float64Array(2), [1, 2]).grads.target.data;
const n: number = losskit.l1Loss([1], [0], { reduction: "sum" });
export = { grad, n };
