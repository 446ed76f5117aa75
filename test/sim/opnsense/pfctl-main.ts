// Entry point of /sbin/pfctl inside a simulated OPNsense (see lab-setup.sh and pf.ts).
import { pfctl } from "./pf.ts";
import { REAL_PATHS } from "./services.ts";

const res = pfctl(process.argv.slice(2), REAL_PATHS.pfState);
process.stdout.write(res.stdout);
process.stderr.write(res.stderr);
process.exitCode = res.code;
