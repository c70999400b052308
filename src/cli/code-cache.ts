/**
 * A V8 code cache for the modules a run loads: the CLI's CommonJS bundle (scripts/post-build.mjs)
 * and ssh2. Without it every run parses and compiles them again before its first connection
 * (docs/performance.md). Node 22.1 and later cache compiled code themselves
 * (`module.enableCompileCache`); on older releases the CommonJS loader's compile step is wrapped
 * so that V8 gets the cached code of each module, and the code of the modules it had to compile
 * is saved when the run exits, with the functions the run compiled on the way.
 *
 * The cache is the user's own directory (0700), never a shared one, and is not used when another
 * user owns it or may write to it. V8 checks cached code against its source's length only (V8's
 * `SerializedCodeData::SourceHash`), so each entry is named by the SHA-256 of its source, of the
 * Node release and of Node's options. Entries older than 30 days are removed by the runs that
 * write, and one still in use is written again by its next run. Whatever fails (no home, a
 * read-only disk, an entry V8 refuses) leaves the run to compile as it would without a cache, and
 * says nothing. `NODE_DISABLE_COMPILE_CACHE` turns the cache off, as it does Node's own.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { Script } from "node:vm";

const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/** `${XDG_CACHE_HOME:-~/.cache}/nemoclaw-fleet/code-cache`, or null when the cache is off or there is no home. */
export function codeCacheDir(env: NodeJS.ProcessEnv, home: string): string | null {
  if (env.NODE_DISABLE_COMPILE_CACHE) return null;
  const cacheHome = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : home ? join(home, ".cache") : null;
  return cacheHome === null ? null : join(cacheHome, "nemoclaw-fleet", "code-cache");
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

/** Turns the cache on for the rest of the process. `loader` is Node's module loader, given by tests. */
export function enableCodeCache(env: NodeJS.ProcessEnv, loader: ModuleStatics = Module as unknown as ModuleStatics): void {
  let dir: string | null;
  try {
    dir = codeCacheDir(env, homedir());
  } catch {
    return;
  }
  if (dir === null || !isPrivate(dir)) return;
  if (typeof loader.enableCompileCache === "function") {
    try {
      loader.enableCompileCache(dir);
    } catch {
      // Node compiles as it would without a cache.
    }
    return;
  }
  wrapCompile(loader, dir, env);
}

/** Code read from a directory that someone else can write to would run as this user: such a cache is not used. */
function isPrivate(dir: string): boolean {
  try {
    const { uid, mode } = statSync(dir);
    return uid === process.getuid?.() && (mode & 0o022) === 0;
  } catch (error) {
    // Not there yet: the first run that saves creates it, 0700.
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}

function wrapCompile(loader: ModuleStatics, dir: string, env: NodeJS.ProcessEnv): void {
  const compile = loader.prototype._compile;
  // The same source compiles differently under another Node release or other V8 flags.
  const runtime = `${process.version} ${process.arch} ${process.execArgv.join(" ")} ${env.NODE_OPTIONS ?? ""}\n`;
  const unsaved: Array<{ script: Script; file: string }> = [];
  loader.prototype._compile = function compileWithCache(this: CommonJsModule, content: string, filename: string, ...rest: unknown[]): unknown {
    // A `#!` line is valid at the start of a file only, not inside the wrapper: left to Node.
    if (content.startsWith("#!")) return compile.call(this, content, filename, ...rest);
    const file = join(dir, createHash("sha256").update(runtime).update(content).digest("hex"));
    const cachedData = readEntry(file);
    const script = new Script(loader.wrap(content), { filename, ...(cachedData === undefined ? {} : { cachedData }) });
    if (cachedData === undefined || script.cachedDataRejected === true) unsaved.push({ script, file });
    const wrapper = script.runInThisContext({ displayErrors: true }) as ModuleWrapper;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename));
  };
  process.once("exit", () => saveEntries(dir, unsaved));
}

function readEntry(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
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
      writeFileSync(temporary, script.createCachedData(), { mode: 0o600, flag: "wx" });
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
