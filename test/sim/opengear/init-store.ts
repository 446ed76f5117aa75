// Creates a factory-fresh store: init-store.ts PATH HOSTNAME (lab-setup.sh, before sshd starts).
import { factoryStore, saveStore } from "./store.ts";

const [path, name] = process.argv.slice(2);
if (!path || !name) throw new Error("usage: init-store.ts PATH HOSTNAME");
saveStore(path, factoryStore(name));
