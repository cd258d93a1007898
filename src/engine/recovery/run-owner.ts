import { createHash, randomUUID } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Who executes a run, as written in the journal's `owner` column: enough to prove, later, that this very process
 * is gone — so that a restarted server takes its runs over at once instead of waiting out their lease.
 *
 * `[<instance>@]<hostname>:<pid>:<random>;host=<hostKey>;start=<ticks>`: the instance id a deployment gives
 * (`SAGAQL_INSTANCE_ID`), the process, a key for "same machine and same process namespace" (the kernel's boot id
 * and the pid namespace: equal hostnames in two containers are not one host), and the process's start time in
 * clock ticks since boot (a pid the kernel reused belongs to a process that started later).
 */
export interface OwnerIdentity {
  instance: string | undefined;
  hostKey: string;
  pid: number;
  /** 0 where the start time cannot be read. */
  startTicks: number;
}

const OWNER_PATTERN =
  /^(?:(?<instance>[^@]+)@)?[^;]*:(?<pid>\d+):[^;:]+;host=(?<hostKey>[0-9a-f]+);start=(?<start>\d+)$/;

/** A new owner for this process: unique per call, and parseable by `parseOwner`. */
export function newRunOwner(instance: string | undefined = process.env.SAGAQL_INSTANCE_ID || undefined): string {
  const self = currentIdentity();
  const prefix = instance === undefined ? "" : `${instance.replaceAll("@", "_")}@`;
  return `${prefix}${hostname().replaceAll(";", "_")}:${process.pid}:${randomUUID().slice(0, 8)};host=${self.hostKey};start=${self.startTicks}`;
}

/** The identity an owner string carries, or undefined for an owner given by hand (only its lease then tells). */
export function parseOwner(owner: string): OwnerIdentity | undefined {
  const match = OWNER_PATTERN.exec(owner);
  if (!match?.groups) return undefined;
  const { instance, pid, hostKey, start } = match.groups;
  return { instance, pid: Number(pid), hostKey: hostKey!, startTicks: Number(start) };
}

/**
 * True only when `owner` provably executes nothing any more: it names this deployment's own instance id (an
 * instance restarted), or a process of this host and namespace that is dead or whose pid now belongs to a later
 * process. Anything less certain — another host, an owner given by hand, a live process — is false: the lease rules.
 */
export function ownerIsGone(owner: string, self: string): boolean {
  if (owner === self) return false;
  const them = parseOwner(owner);
  const us = parseOwner(self);
  if (!them || !us) return false;
  if (them.instance !== undefined && them.instance === us.instance) return true;
  if (them.hostKey !== us.hostKey) return false;
  if (them.pid === process.pid) return them.startTicks !== us.startTicks && us.startTicks !== 0;
  if (!processExists(them.pid)) return true;
  const started = processStartTicks(them.pid);
  return started !== 0 && them.startTicks !== 0 && started !== them.startTicks;
}

let cached: OwnerIdentity | undefined;

function currentIdentity(): OwnerIdentity {
  cached ??= { instance: undefined, hostKey: hostKey(), pid: process.pid, startTicks: processStartTicks(process.pid) };
  return cached;
}

function hostKey(): string {
  const bootId = readOr("/proc/sys/kernel/random/boot_id", "");
  let pidNamespace = "";
  try {
    pidNamespace = readlinkSync("/proc/self/ns/pid");
  } catch {
    // Not Linux: the hostname alone names the host.
  }
  return createHash("sha256").update(`${hostname()}\n${bootId.trim()}\n${pidNamespace}`).digest("hex").slice(0, 16);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Field 22 of /proc/<pid>/stat; the name in field 2 may hold spaces and parentheses, so count from its end. */
function processStartTicks(pid: number): number {
  const stat = readOr(`/proc/${pid}/stat`, "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : 0;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}
