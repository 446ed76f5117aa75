// Entry point of /usr/local/sbin/configctl inside a simulated OPNsense (see lab-setup.sh).
import { configctl } from "./configctl.ts";
import { REAL_PATHS } from "./services.ts";

const res = configctl(process.argv.slice(2), REAL_PATHS);
process.stdout.write(res.stdout);
process.stderr.write(res.stderr);
process.exitCode = res.code;
