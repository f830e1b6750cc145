/**
 * A headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: commands
 * on fd 3, replies on fd 4, NUL-separated JSON), so the browser test needs no WebSocket client and no
 * npm package. Only what the report tests use: open a page, collect console errors and requests,
 * evaluate, screenshot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = '/usr/bin/chromium';

export function missingChromium(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (Debian package chromium; npm run setup installs it)`;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

export interface PageVisit {
  consoleErrors: string[];
  /** Every URL the page asked for, the page itself included. */
  requests: string[];
  session: string;
}

export class Chromium {
  private nextId = 1;
  private pending = new Map<number, { resolve: (result: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  private listeners: Array<(message: Message) => void> = [];
  private buffer = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly userDataDir: string,
  ) {
    const output = child.stdio[4] as Readable;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) !== -1) {
        const message = JSON.parse(this.buffer.slice(0, end)) as Message;
        this.buffer = this.buffer.slice(end + 1);
        if (message.id !== undefined && this.pending.has(message.id)) {
          const waiter = this.pending.get(message.id)!;
          this.pending.delete(message.id);
          if (message.error) waiter.reject(new Error(message.error.message));
          else waiter.resolve(message.result ?? {});
        } else {
          for (const listener of this.listeners) listener(message);
        }
      }
    });
  }

  static launch(): Chromium {
    const userDataDir = mkdtempSync(path.join(tmpdir(), 'fusebench-chromium-'));
    const child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        '--hide-scrollbars',
        `--user-data-dir=${userDataDir}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    return new Chromium(child, userDataDir);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const input = this.child.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  private waitFor(predicate: (message: Message) => boolean, timeoutMs: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the browser')), timeoutMs);
      const listener = (message: Message) => {
        if (!predicate(message)) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((other) => other !== listener);
        resolve(message);
      };
      this.listeners.push(listener);
    });
  }

  /** Opens url in a fresh tab at the given width and waits for the load event. */
  async open(url: string, width = 1280, height = 900): Promise<PageVisit> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const visit: PageVisit = { consoleErrors: [], requests: [], session: sessionId };
    this.listeners.push((message) => {
      if (message.sessionId !== sessionId || !message.params) return;
      const params = message.params as Record<string, any>;
      if (message.method === 'Network.requestWillBeSent') visit.requests.push(String(params.request?.url));
      if (message.method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) visit.consoleErrors.push(JSON.stringify(params.args));
      if (message.method === 'Runtime.exceptionThrown') visit.consoleErrors.push(JSON.stringify(params.exceptionDetails));
      if (message.method === 'Log.entryAdded' && params.entry?.level === 'error') visit.consoleErrors.push(`${params.entry.source}: ${params.entry.text} ${params.entry.url ?? ''}`);
    });
    for (const domain of ['Page', 'Network', 'Runtime', 'Log']) await this.send(`${domain}.enable`, {}, sessionId);
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    const loaded = this.waitFor((message) => message.sessionId === sessionId && message.method === 'Page.loadEventFired', 30_000);
    await this.send('Page.navigate', { url }, sessionId);
    await loaded;
    return visit;
  }

  /** Reloads the page and waits for its load event (after Emulation.setScriptExecutionDisabled, say). */
  async reload(session: string): Promise<void> {
    const loaded = this.waitFor((message) => message.sessionId === session && message.method === 'Page.loadEventFired', 30_000);
    await this.send('Page.reload', {}, session);
    await loaded;
  }

  async evaluate<T>(session: string, expression: string): Promise<T> {
    const result = (await this.send('Runtime.evaluate', { expression, returnByValue: true }, session)) as { result: { value: T }; exceptionDetails?: unknown };
    if (result.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(result.exceptionDetails)}`);
    return result.result.value;
  }

  /** PNG of the whole page, not only the viewport. */
  async screenshot(session: string): Promise<Buffer> {
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, session)) as { data: string };
    return Buffer.from(data, 'base64');
  }

  async pdf(session: string): Promise<Buffer> {
    const { data } = (await this.send('Page.printToPDF', { printBackground: true, preferCSSPageSize: true }, session)) as { data: string };
    return Buffer.from(data, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await this.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(this.userDataDir, { recursive: true, force: true });
  }
}
