// The command line: every command, its options and the function that runs it. Built without
// running anything, so that tests can check what the workflows call exists with those flags.
// Nothing but commander and the exit codes is imported up front: each action imports its command
// (and the drivers and the SSH transport, when it talks to devices) when it runs, so that
// `--help` or `validate` never pay for loading code they do not use (issue 14: start-up cost).
import { Command } from "commander";
import type { DesiredRepo } from "../model/repo.ts";
import { addConventions } from "./conventions.ts";
import { CliError, EXIT } from "./exit-codes.ts";

/** Decided before each action from --no-color, NO_COLOR, FORCE_COLOR and the terminal (conventions.ts). */
let color = false;

/** What the commands that talk to devices need: the drivers and the SSH transport, loaded on demand. */
async function deviceDeps() {
  const [{ APPLY_DRIVERS, DRIVERS }, { openSshTransport }] = await Promise.all([
    import("../drivers/index.ts"),
    import("../transport/ssh.ts"),
  ]);
  const openTransport = (repo: DesiredRepo, knownHosts: string) => openSshTransport(repo.devices, knownHosts);
  return { drivers: DRIVERS, applyDrivers: APPLY_DRIVERS, openTransport, env: process.env };
}

export function program(setExit: (code: number) => void): Command {
  const cmd = new Command("reconciler")
    .description("GitOps reconciler for network devices")
    .exitOverride()
    .showHelpAfterError();
  const applyDeps = async () => ({
    ...(await deviceDeps()),
    ask: (await import("./apply.ts")).askOnTerminal,
    interactive: process.stdin.isTTY === true,
  });

  const repoOptions = (c: Command) =>
    c
      .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
      .option("--revision <rev>", "read the desired state at this git revision instead of the working tree");

  repoOptions(cmd.command("validate"))
    .description("check inventory/ and desired/ and print every problem at once")
    .option("--json", "print the diagnostics as JSON")
    .action(async (opts) => {
      const { validateCommand } = await import("./validate.ts");
      setExit(await validateCommand(opts, process.stdout, color));
    });

  repoOptions(cmd.command("show"))
    .description("print each device's desired state with links expanded")
    .argument("[devices...]", "devices to show (default: all)")
    .option("--json", "print JSON instead of YAML")
    .action(async (devices: string[], opts) => {
      const { showCommand } = await import("./show.ts");
      setExit(await showCommand(devices, opts, process.stdout, color));
    });

  repoOptions(cmd.command("plan"))
    .description("read each device and show what would change (exit 0: none, 2: changes, 1: error)")
    .option(
      "--limit <pattern>",
      "only these devices: names, groups, globs, labels or !exclusions, comma-separated, e.g. core-*,site=pop-1",
    )
    .option(
      "--shard <K/N>",
      "only shard K of N of the fleet (split by site; linked sites and via chains stay together), with --limit: both",
    )
    .option("--out <file>", "also save the plan as JSON, for a later apply")
    .option("--json", "print the plan as JSON")
    .option(
      "--github",
      "on a pull request in GitHub Actions: a check run and one comment edited in place, with the plan's hash",
    )
    .option(
      "--impact-base <rev>",
      "compare routing with this revision (default: the pull request's base, else the newest confirmed run, else the parent)",
    )
    .action(async (opts) => {
      const { planCommand } = await import("./plan.ts");
      setExit(await planCommand(opts, await deviceDeps(), process.stdout, color));
    });

  cmd
    .command("merge-plans")
    .description(
      "join the plans of plan --shard K/N --json, one per shard, into one plan (exit codes as plan's)",
    )
    .argument("<files...>", "the plan of every shard, each from plan --shard K/N --json")
    .option("--json", "print the merged plan as JSON")
    .option("--out <file>", "also save the merged plan as JSON, for a later apply")
    .option("--github", "on a pull request in GitHub Actions: the check run and comment, as plan --github")
    .action(async (files: string[], opts) => {
      const { mergePlansCommand } = await import("./merge-plans.ts");
      setExit(await mergePlansCommand(files, opts, process.stdout, color));
    });

  repoOptions(cmd.command("paths"))
    .description("print the routes the routing model computes: every router's, one router's, or one path")
    .argument("[device]", "only this router")
    .argument("[prefix]", "how the router reaches this prefix or address, hop by hop")
    .option("--without <names>", "links or devices taken out, as a failure would (comma-separated)")
    .option("--json", "print JSON")
    .action(async (device: string | undefined, prefix: string | undefined, opts) => {
      const { pathsCommand } = await import("./paths.ts");
      setExit(await pathsCommand(device, prefix, opts, process.stdout, color));
    });

  repoOptions(cmd.command("drift"))
    .description(
      "read every device and report how it differs from git (exit 0: in sync, 2: drift, 1: a device could not be read)",
    )
    .option(
      "--limit <pattern>",
      "only these devices: names, groups, globs, labels or !exclusions, comma-separated",
    )
    .option("--shard <K/N>", "only shard K of N of the fleet (as plan --shard), with --limit: both")
    .option("--report <file.md>", "write the Markdown report (summary table, topology, differences)")
    .option("--json <file>", "write the report and the plan behind it as JSON")
    .option(
      "--open-pr",
      "one pull request per drifted device adopting what it runs (updated nightly, closed when the drift is gone); an issue for devices that cannot be read",
    )
    .option(
      "--base <branch>",
      "the branch drift pull requests go into (default: $GITHUB_REF_NAME, else main)",
    )
    .option("--remote <name>", "the remote the drift branches are pushed to", "origin")
    .option(
      "--revert <pattern>",
      "devices (names or labels) whose drift is reverted by an apply instead of proposed (off by default)",
    )
    .action(async (opts) => {
      const { driftCommand } = await import("./drift.ts");
      setExit(await driftCommand(opts, await applyDeps(), process.stdout, color));
    });

  repoOptions(cmd.command("import"))
    .description("write desired YAML from a device's live state (brownfield onboarding)")
    .argument("<device>", "the device, as the inventory names it")
    .option("--write", "write desired/<device>.yaml instead of printing it")
    .option("--force", "with --write: replace an existing file")
    .action(async (device: string, opts) => {
      const { importCommand } = await import("./import.ts");
      setExit(await importCommand(device, opts, await deviceDeps(), process.stdout, color));
    });

  repoOptions(cmd.command("apply"))
    .description("plan, ask, then apply the changes under commit-confirmed with health gates")
    .argument("[plan]", "a plan saved with plan --out: refused if a device changed since")
    .option(
      "--limit <pattern>",
      "only these devices: names, groups, globs, labels or !exclusions, comma-separated",
    )
    .option("--yes", "do not ask (required when not on a terminal)")
    .option("--json", "print the plan and the outcome as JSON")
    .option("--confirm-timeout <s>", "seconds after which a device reverts by itself unless confirmed", "180")
    .option("--health-timeout <s>", "seconds the health gates may take to pass", "90")
    .option(
      "--soak <s>",
      "seconds to wait before checking the gates again (default: the longest OSPF dead interval)",
    )
    .option("--parallel <n>", "work on at most this many devices at once", "16")
    .option(
      "--canary <pattern>",
      "apply these first, in waves of their own (names or labels, comma-separated; overrides rollout.canary; '' for none)",
    )
    .option("--batch <n|N%>", "at most this many devices per wave (overrides rollout.batch)")
    .option(
      "--max-fail-percentage <p>",
      "the share of a wave's devices that may fail without halting (default 0; overrides rollout.max_fail_percentage)",
    )
    .option("--wave-soak <s>", "seconds to wait between waves (overrides rollout.soak)")
    .option(
      "--allow-lockout",
      "apply even when a change would cut the path the reconciler uses to reach a device",
    )
    .option(
      "--allow-unreachable",
      "apply even when a router would lose a prefix it reaches today (routing impact)",
    )
    .option("--ignore-freeze", "apply even while the fleet is frozen, or a revision that was rolled back")
    .option("--github", "in GitHub Actions: a commit status (reconciler/rollout) on the rolled-out commit")
    .action(async (planFile: string | undefined, opts) => {
      const { applyCommand } = await import("./apply.ts");
      setExit(await applyCommand(planFile, opts, await applyDeps(), process.stdout, color));
    });

  cmd
    .command("rollback")
    .description(
      "emergency rollback: restore each device's last confirmed configuration from its own copy (SSH only), or apply an earlier revision; freezes the fleet",
    )
    .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
    .option("--to-last-confirmed", "undo each device's newest confirmed run from the copy the device kept")
    .option("--to <revision>", "apply the desired state of this git revision instead")
    .option(
      "--run <id>",
      "with --to-last-confirmed: the run to undo (default: the newest run the devices kept)",
    )
    .option(
      "--limit <pattern>",
      "only these devices: names, groups, globs, labels or !exclusions, comma-separated",
    )
    .option("--yes", "do not ask (required when not on a terminal)")
    .option("--json", "print the outcome as JSON")
    .option("--confirm-timeout <s>", "seconds after which a device reverts by itself unless confirmed", "180")
    .option("--health-timeout <s>", "seconds the health gates may take to pass", "90")
    .option("--parallel <n>", "work on at most this many devices at once", "16")
    .option("--batch <n|N%>", "at most this many devices per wave (default: all in one wave)")
    .option(
      "--max-fail-percentage <p>",
      "the share of a wave's devices that may fail without halting (default 100: every device that can be restored is)",
    )
    .action(async (opts) => {
      const { rollbackCommand } = await import("./rollback.ts");
      setExit(await rollbackCommand(opts, await applyDeps(), process.stdout, color));
    });

  cmd
    .command("watch")
    .description(
      "follow the tracked branch of the remote: roll out each new revision, plan again every interval (drift), back off per device",
    )
    .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
    .option("--remote <name>", "the remote to follow", "origin")
    .option("--branch <name>", "the branch to follow", "main")
    .option("--interval <s>", "seconds between two looks at the remote (with jitter)", "60")
    .option(
      "--limit <pattern>",
      "only these devices: names, groups, globs, labels or !exclusions, comma-separated",
    )
    .option("--repair", "re-apply when a device drifts from the revision (off: drift is only logged)")
    .option("--log-format <text|json>", "one line per event, as text or JSON", "text")
    .option("--once", "one look at the remote (and its rollout), then stop")
    .option(
      "--webhook-port <port>",
      "listen for GitHub push webhooks (127.0.0.1): a push only triggers an early look",
    )
    .option(
      "--webhook-secret-env <var>",
      "the variable holding the webhook's shared secret",
      "RECONCILER_WEBHOOK_SECRET",
    )
    .option("--confirm-timeout <s>", "as for apply", "180")
    .option("--health-timeout <s>", "as for apply", "90")
    .action(async (opts) => {
      const { watchCommand } = await import("./watch.ts");
      setExit(await watchCommand(opts, await applyDeps(), process.stdout));
    });

  cmd
    .command("unfreeze")
    .description("lift the freeze a rollback set (the rolled-back revisions stay refused)")
    .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
    .option("--json", "print the outcome as JSON")
    .action(async (opts) => {
      const { unfreezeCommand } = await import("./unfreeze.ts");
      setExit(await unfreezeCommand(opts, process.stdout));
    });

  cmd
    .command("history")
    .description("list the runs recorded in the state store, newest first")
    .argument("[device]", "only this device's results")
    .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
    .option("--json", "print the run records as JSON")
    .action(async (device: string | undefined, opts) => {
      const { historyCommand } = await import("./history.ts");
      setExit(await historyCommand(device, opts, process.stdout));
    });

  cmd
    .command("status")
    .description(
      "the repository's run lock, the freeze and the last run per device; with --devices, each device's lock",
    )
    .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
    .option("--json", "print as JSON")
    .option("--devices", "also read each device's lock over SSH (read-only)")
    .option("--limit <pattern>", "with --devices: only these devices")
    .action(async (opts) => {
      const { statusCommand } = await import("./status.ts");
      if (!opts.devices) return setExit(await statusCommand(opts, process.stdout));
      const [{ deviceLocks, TextSink }, { jsonForTerminal }] = await Promise.all([
        import("./status-devices.ts"),
        import("./history.ts"),
      ]);
      const deps = await deviceDeps();
      if (!opts.json) {
        const code = await statusCommand(opts, process.stdout);
        return setExit(Math.max(code, await deviceLocks(opts, deps, process.stdout, color)));
      }
      // One JSON document: the store's status with the device locks added.
      const [store, locks] = [new TextSink(), new TextSink()];
      const code = Math.max(await statusCommand(opts, store), await deviceLocks(opts, deps, locks, false));
      process.stdout.write(jsonForTerminal({ ...JSON.parse(store.text), ...JSON.parse(locks.text) }));
      setExit(code);
    });

  cmd
    .command("keys")
    .description(
      "have devices generate missing WireGuard keys; record the public keys in inventory/wireguard-keys.yaml",
    )
    .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
    .option(
      "--limit <pattern>",
      "only these devices: names, groups, globs, labels or !exclusions, comma-separated",
    )
    .option("--json", "print the keys reported and what changed as JSON")
    .action(async (opts) => {
      const { keysCommand } = await import("./keys.ts");
      setExit(await keysCommand(opts, await deviceDeps(), process.stdout, color));
    });

  cmd
    .command("trust")
    .description("record the SSH host key a device presents in inventory/known_hosts, for review")
    .argument("<device>", "the device whose key to pin")
    .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
    .option("--json", "print the key seen and what changed as JSON")
    .action(async (device: string, opts) => {
      const { trustCommand } = await import("./trust.ts");
      setExit(await trustCommand(device, opts, process.stdout, color));
    });
  cmd
    .command("console")
    .description(
      "open a device's serial console through the console server it hangs off (desired state: connected_to)",
    )
    .argument("<device>", "the device (or a console server, with PORT)")
    .argument("[port]", "which console: a port number, ports-N or label")
    .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
    .action(async (device: string, port: string | undefined, opts) => {
      const { consoleCommand } = await import("./console.ts");
      setExit(await consoleCommand(device, port, opts, process.stdout, color));
    });
  cmd
    .command("unlock")
    .description(
      "free the lock a dead run left on a device (never while its revert is pending), or with --repo-lock the repository's run lock",
    )
    .argument("[device]", "the locked device")
    .requiredOption("--run <id>", "the run that holds the lock, as the lock error names it")
    .option("--repo-lock", "free the repository's run lock instead of a device's")
    .option("--json", "print the outcome as JSON")
    .option("--repo <dir>", "the repository holding inventory/ and desired/", process.cwd())
    .action(async (device: string | undefined, opts) => {
      if (opts.repoLock) {
        if (device)
          throw new CliError("--repo-lock frees the repository's run lock: name no device", EXIT.usage);
        const { unlockRunCommand } = await import("./unlock-run.ts");
        return setExit(await unlockRunCommand(opts, process.stdout));
      }
      if (!device) throw new CliError("name the locked device, or pass --repo-lock", EXIT.usage);
      const { unlockCommand } = await import("./unlock.ts");
      setExit(await unlockCommand(device, opts, await deviceDeps(), process.stdout, color));
    });
  // Last, so that `completion` is listed after the commands it completes.
  addConventions(cmd, (on) => {
    color = on;
  });
  return cmd;
}
