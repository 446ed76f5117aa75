// `npm run man`: writes docs/reconciler.1 from the command line's definitions. The unit test
// test/unit/cli/man-page.test.ts fails when the committed page differs from this output.
import { writeFileSync } from "node:fs";
import { packageVersion } from "../reconciler/cli/conventions.ts";
import { manPage } from "../reconciler/cli/man-page.ts";
import { program } from "../reconciler/cli/program.ts";
import { describeProgram } from "../reconciler/cli/program-spec.ts";

const page = manPage(describeProgram(program(() => {})), packageVersion());
writeFileSync(new URL("../docs/reconciler.1", import.meta.url), page);
process.stdout.write("wrote docs/reconciler.1\n");
