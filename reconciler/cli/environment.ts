// Every environment variable the reconciler reads, with what it is for: printed after
// `reconciler --help`, in the man page and in the README. The variables a repository names itself
// (credentials, secrets) are listed by the fields that name them, since their names are the
// operator's choice.
export interface EnvVar {
  name: string;
  meaning: string;
}

export const ENVIRONMENT: readonly EnvVar[] = [
  {
    name: "RECONCILER_STATE_DIR",
    meaning: "where the state store lives (run journal, locks, freeze); default <repo>/.reconciler/state",
  },
  { name: "SSH_AUTH_SOCK", meaning: "the SSH agent, for devices whose credentials say agent: true" },
  {
    name: "(named by key_file_env, password_env)",
    meaning: "an SSH key file or password, for devices whose inventory credentials name the variable",
  },
  {
    name: "(named by *_env in desired/)",
    meaning: "secrets a device's desired state names (WireGuard preshared keys, SNMP, user passwords)",
  },
  {
    name: "RECONCILER_WEBHOOK_SECRET",
    meaning: "watch --webhook-port: the webhook's shared secret (another name with --webhook-secret-env)",
  },
  {
    name: "RECONCILER_HOOK_*",
    meaning: "passed through to hooks, which see nothing else of the environment but PATH, HOME and LANG",
  },
  {
    name: "GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL",
    meaning: "--github and drift --open-pr: the GitHub API, its token and the owner/name repository",
  },
  {
    name: "GITHUB_EVENT_PATH, GITHUB_SERVER_URL, GITHUB_RUN_ID",
    meaning: "plan --github: the pull request event, and the link to the Actions run",
  },
  { name: "GITHUB_REF_NAME", meaning: "drift --open-pr: the default --base branch" },
  { name: "NO_COLOR", meaning: "any non-empty value: no colour" },
  { name: "FORCE_COLOR", meaning: "non-empty and not 0: colour even when stdout is not a terminal" },
  { name: "TERM", meaning: "dumb: no colour; console: the terminal type asked of the device" },
];
