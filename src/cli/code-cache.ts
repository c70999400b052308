/**
 * A V8 code cache for the modules a run loads: the CLI's CommonJS bundle (scripts/post-build.mjs)
 * and ssh2. Without it every run parses and compiles them again before its first connection
 * (docs/performance.md). Node 22.8 and later cache compiled code themselves
 * (`module.enableCompileCache`, in a layout of their own, which they do not prune); on older
 * releases the CommonJS loader's compile step is wrapped so that V8 gets the cached code of each
 * module, and the code of the modules it had to compile is saved when the run exits, with the
 * functions the run compiled on the way.
 *
 * The cache is the user's own directory (0700), never a shared one, and is not used when another
 * user owns it or may write to it (`cacheIsPrivate`). V8 checks cached code against its source's
 * length only (V8's `SerializedCodeData::SourceHash`), so each entry is named by the SHA-256 of its
 * source, of the Node release and of Node's options, and carries the SHA-256 of its data. Entries
 * older than 30 days are removed by the runs that write, and one still in use is written again by
 * its next run. Whatever fails (no home, a read-only disk, a damaged entry, one V8 refuses) leaves
 * the run to compile as it would without a cache, and says nothing. `NODE_DISABLE_COMPILE_CACHE`
 * turns the cache off, as it does Node's own.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { Script } from "node:vm";
import { xdgBaseDir } from "../config/xdg.js";

const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/** The directories below the cache home that lead to the cache, the cache last. */
const BELOW_CACHE_HOME = ["nemoclaw-fleet", "code-cache"];

/** `${XDG_CACHE_HOME:-~/.cache}`, or null when the cache is off or there is no home. */
function cacheHomeFor(env: NodeJS.ProcessEnv, home: string): string | null {
  if (env.NODE_DISABLE_COMPILE_CACHE) return null;
  const cacheHome = xdgBaseDir("XDG_CACHE_HOME", env, home);
  return isAbsolute(cacheHome) ? cacheHome : null;
}

/** `${XDG_CACHE_HOME:-~/.cache}/nemoclaw-fleet/code-cache`, or null when the cache is off or there is no home. */
export function codeCacheDir(env: NodeJS.ProcessEnv, home: string): string | null {
  const cacheHome = cacheHomeFor(env, home);
  return cacheHome === null ? null : join(cacheHome, ...BELOW_CACHE_HOME);
}

interface CommonJsModule {
  exports: unknown;
}
type Compile = (this: CommonJsModule, content: string, filename: string, ...rest: unknown[]) => unknown;
interface ModuleStatics {
  prototype: { _compile: Compile };
  wrap(content: string): string;
  enableCompileCache?: (dir: string) => unknown;
}
type ModuleWrapper = (exports: unknown, require: NodeJS.Require, module: CommonJsModule, filename: string, dirname: string) => unknown;

/**
 * Turns the cache on for the rest of the process. `loader` (Node's module loader) and `atExit`
 * (where the compiled code is saved) are given by tests.
 */
export function enableCodeCache(env: NodeJS.ProcessEnv, loader: ModuleStatics = Module as unknown as ModuleStatics, atExit: (save: () => void) => void = (save) => process.once("exit", save)): void {
  let cacheHome: string | null;
  try {
    cacheHome = cacheHomeFor(env, homedir());
  } catch {
    return;
  }
  if (cacheHome === null || !cacheIsPrivate(cacheHome, process.getuid?.())) return;
  const dir = join(cacheHome, ...BELOW_CACHE_HOME);
  if (typeof loader.enableCompileCache === "function") {
    try {
      loader.enableCompileCache(dir);
    } catch {
      // Node compiles as it would without a cache.
    }
    return;
  }
  wrapCompile(loader, dir, env, atExit);
}

/**
 * Code read from a directory someone else can write to would run as this user. So the cache is
 * used only when the cache home, `nemoclaw-fleet` and `code-cache` in it are directories of this
 * user's (`uid`), the cache home not writable by others, the two below it by no one else at all.
 * One not there yet is created by the first run that saves, so its parent must be this user's too:
 * a run as root with a user's HOME (`sudo -E`) leaves that user's home alone.
 */
export function cacheIsPrivate(cacheHome: string, uid: number | undefined): boolean {
  const levels = [cacheHome, ...BELOW_CACHE_HOME.map((_, depth) => join(cacheHome, ...BELOW_CACHE_HOME.slice(0, depth + 1)))];
  for (const [index, path] of levels.entries()) {
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return false;
      try {
        return statSync(dirname(path)).uid === uid;
      } catch {
        return false;
      }
    }
    const othersMayWrite = index === 0 ? 0o002 : 0o022;
    if (!stats.isDirectory() || stats.uid !== uid || (stats.mode & othersMayWrite) !== 0) return false;
  }
  return true;
}

function wrapCompile(loader: ModuleStatics, dir: string, env: NodeJS.ProcessEnv, atExit: (save: () => void) => void): void {
  const compile = loader.prototype._compile;
  // The same source compiles differently under another Node release or other V8 flags.
  const runtime = `${process.version} ${process.arch} ${process.execArgv.join(" ")} ${env.NODE_OPTIONS ?? ""}\n`;
  const unsaved: Array<{ script: Script; file: string }> = [];
  loader.prototype._compile = function compileWithCache(this: CommonJsModule, content: string, filename: string, ...rest: unknown[]): unknown {
    // Left to Node: an ES module loaded by require (its format comes third), a `#!` line (valid at
    // the start of a file only, not inside the wrapper), and `import()`, for which a script
    // compiled from cached code finds no module loader on Node 20. The CLI's own chunks have none.
    const format = rest[0];
    if ((format !== undefined && format !== "commonjs") || content.startsWith("#!") || content.includes("import(")) return compile.call(this, content, filename, ...rest);
    const file = join(dir, createHash("sha256").update(runtime).update(content).digest("hex"));
    const cachedData = readEntry(file);
    const script = new Script(loader.wrap(content), { filename, ...(cachedData === undefined ? {} : { cachedData }) });
    if (cachedData === undefined || script.cachedDataRejected === true) unsaved.push({ script, file });
    const wrapper = script.runInThisContext({ displayErrors: true }) as ModuleWrapper;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename));
  };
  atExit(() => saveEntries(dir, unsaved));
}

/**
 * An entry is the SHA-256 of V8's data, then the data. V8 (Node 20) does not check the data's own
 * checksum, and damaged data crashes the process, so an entry whose digest does not match is
 * treated as missing, and written again when the run exits.
 */
const DIGEST_BYTES = 32;

function readEntry(file: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const data = bytes.subarray(DIGEST_BYTES);
  return data.length > 0 && digest(data).equals(bytes.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

function digest(data: Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}

/**
 * Written whole or not at all (a fresh temporary file, created exclusively, renamed over the entry),
 * so a run never reads half an entry and never writes through a link.
 */
function saveEntries(dir: string, unsaved: ReadonlyArray<{ script: Script; file: string }>): void {
  if (unsaved.length === 0) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    removeOldEntries(dir, Date.now() - MAX_AGE_MS);
  } catch {
    return;
  }
  for (const { script, file } of unsaved) {
    const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      const data = script.createCachedData();
      writeFileSync(temporary, Buffer.concat([digest(data), data]), { mode: 0o600, flag: "wx" });
      renameSync(temporary, file);
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Left for a later run to remove with the old entries.
      }
    }
  }
}

function removeOldEntries(dir: string, olderThanMs: number): void {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    try {
      if (statSync(file).mtimeMs < olderThanMs) rmSync(file, { force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}
