// Which environment variables a piece of the desired state or inventory names as secrets: every
// `*_env` field (password_env, preshared_key_env, auth_password_env, ...), except key_file_env,
// which names a file path (the key in the file is the secret, and it never enters the process
// output). Pure.

export function secretVariables(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const x of value) secretVariables(x, into);
  else if (value && typeof value === "object")
    for (const [k, x] of Object.entries(value)) {
      if (k.endsWith("_env") && typeof x === "string") {
        if (k !== "key_file_env") into.add(x);
      } else secretVariables(x, into);
    }
  return into;
}
