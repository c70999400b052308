/**
 * Headless Chromium (Debian's `chromium`; scripts/install-test-deps.sh installs it), driven over
 * the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON messages, each ended by a NUL
 * byte, to the browser on fd 3 and back on fd 4). One launch serves a whole test file: each page
 * gets its own tab, and the tests can read the live DOM and computed styles, emulate dark mode
 * and print, see every network request and take screenshots — more than `--dump-dom` and
 * `--screenshot` give, at the cost of one browser start instead of one per check.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

export const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"].find((name) => !spawnSync(name, ["--version"], { encoding: "utf8" }).error);

export const CHROMIUM_MISSING = CHROMIUM ? null : "Chromium is not installed (Debian's chromium package; scripts/install-test-deps.sh installs it)";

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

export class Browser {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (result: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  private readonly listeners: ((message: Message) => void)[] = [];
  private buffer = Buffer.alloc(0);

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const input = child.stdio[4] as Readable;
    input.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (let end = this.buffer.indexOf(0); end >= 0; end = this.buffer.indexOf(0)) {
        const message = JSON.parse(this.buffer.subarray(0, end).toString("utf8")) as Message;
        this.buffer = this.buffer.subarray(end + 1);
        this.dispatch(message);
      }
    });
    child.on("exit", () => {
      for (const { reject } of this.pending.values()) reject(new Error("Chromium exited"));
      this.pending.clear();
    });
  }

  static launch(): Browser {
    if (!CHROMIUM) throw new Error(CHROMIUM_MISSING ?? "no Chromium");
    const profile = mkdtempSync(join(tmpdir(), "ncf-chromium-"));
    const child = spawn(
      CHROMIUM,
      [
        "--headless",
        // As root (CI containers) Chromium refuses to start with its sandbox.
        ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        `--user-data-dir=${profile}`,
        "--remote-debugging-pipe",
        "about:blank",
      ],
      { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] },
    );
    return new Browser(child, profile);
  }

  private dispatch(message: Message): void {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result ?? {});
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    this.nextId += 1;
    const id = this.nextId;
    const output = this.child.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      output.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** The next event `method` of the session that `test` accepts. */
  event(method: string, sessionId: string, test: (params: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const listener = (message: Message) => {
        if (message.method !== method || message.sessionId !== sessionId || !test(message.params ?? {})) return;
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        resolve(message.params ?? {});
      };
      this.listeners.push(listener);
    });
  }

  onEvent(listener: (message: Message) => void): void {
    this.listeners.push(listener);
  }

  /** A new tab showing `url`, once it has loaded; every URL it requested is recorded. */
  async open(url: string, viewport = { width: 1400, height: 900 }): Promise<Page> {
    const { targetId } = (await this.send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
    const { sessionId } = (await this.send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
    const page = new Page(this, sessionId);
    this.onEvent((message) => {
      if (message.sessionId === sessionId && message.method === "Network.requestWillBeSent") page.requests.push(String((message.params?.request as { url: string }).url));
    });
    await this.send("Network.enable", {}, sessionId);
    await this.send("Page.enable", {}, sessionId);
    await this.send("Emulation.setDeviceMetricsOverride", { ...viewport, deviceScaleFactor: 1, mobile: false }, sessionId);
    const loaded = this.event("Page.loadEventFired", sessionId);
    await this.send("Page.navigate", { url }, sessionId);
    await loaded;
    return page;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    await this.send("Browser.close").catch(() => undefined);
    await exited;
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  readonly requests: string[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
  ) {}

  /** The value of a JavaScript expression evaluated in the page (the report itself runs none). */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = (await this.browser.send("Runtime.evaluate", { expression, returnByValue: true }, this.sessionId)) as {
      result: { value: T };
      exceptionDetails?: { text: string };
    };
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text}`);
    return result.value;
  }

  /** Emulate `prefers-color-scheme` and the `print` or `screen` media. */
  async emulate(options: { colorScheme?: "light" | "dark"; media?: "print" | "screen" | "" }): Promise<void> {
    await this.browser.send(
      "Emulation.setEmulatedMedia",
      { media: options.media ?? "", features: [{ name: "prefers-color-scheme", value: options.colorScheme ?? "light" }] },
      this.sessionId,
    );
  }

  /** A PNG of the whole page. */
  async screenshot(): Promise<Buffer> {
    const { data } = (await this.browser.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true }, this.sessionId)) as { data: string };
    return Buffer.from(data, "base64");
  }
}
