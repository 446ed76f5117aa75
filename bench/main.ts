// `npm run bench`: see docs/benchmarks.md. (Being built: for now, the pure planner section.)
import { plannerBench } from "./planner.ts";

for (const r of await plannerBench()) console.log(JSON.stringify(r));
