// LISTEN/NOTIFY for the PostgreSQL engine: one dedicated connection outside the pool, reconnected with backoff.
import { Client } from 'pg';
import type { ChannelHandlers } from './database';

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresListenerOptions {
  readonly url: string;
  /** First reconnect delay, doubled up to `maxReconnectMs` (defaults 100 ms and 5 s). */
  readonly reconnectMs?: number;
  readonly maxReconnectMs?: number;
}

/**
 * A shared listening connection: subscriptions per channel; every drop is reported to every subscriber as a reset.
 * `listen` does not fail when the database is unreachable: the subscriber gets `onReset(false)` and, once a retry
 * connects, `onReset(true)`.
 */
export interface PostgresListener {
  listen(channel: string, handlers: ChannelHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export function createPostgresListener(options: PostgresListenerOptions): PostgresListener {
  const subscribers = new Map<string, Set<ChannelHandlers>>();
  let client: Client | undefined;
  let connecting: Promise<Client> | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = options.reconnectMs ?? 100;

  const quote = (channel: string): string => `"${channel}"`;
  const resetAll = (connected: boolean): void => {
    for (const set of subscribers.values()) for (const h of set) h.onReset(connected);
  };

  function scheduleReconnect(): void {
    if (closed || retryTimer !== undefined || subscribers.size === 0) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().then(
        () => resetAll(true),
        () => scheduleReconnect(),
      );
    }, delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, options.maxReconnectMs ?? 5_000);
  }

  function lost(c: Client): void {
    if (client !== c) return;
    client = undefined;
    c.removeAllListeners('notification');
    void c.end().catch(() => undefined);
    if (closed) return;
    resetAll(false);
    scheduleReconnect();
  }

  async function connect(): Promise<Client> {
    if (client !== undefined) return client;
    connecting ??= (async () => {
      const c = new Client({ connectionString: options.url });
      c.on('error', () => lost(c));
      c.on('end', () => lost(c));
      try {
        await c.connect();
        c.on('notification', (n) => {
          for (const h of subscribers.get(n.channel) ?? []) h.onMessage(n.payload ?? '');
        });
        for (const channel of subscribers.keys()) await c.query(`LISTEN ${quote(channel)}`);
      } catch (err) {
        c.removeAllListeners('end');
        await c.end().catch(() => undefined);
        throw err;
      }
      client = c;
      delay = options.reconnectMs ?? 100;
      return c;
    })().finally(() => (connecting = undefined));
    return connecting;
  }

  return {
    async listen(channel, handlers) {
      if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid channel name ${channel}`);
      if (closed) throw new Error('listener closed');
      let set = subscribers.get(channel);
      const first = set === undefined;
      if (set === undefined) subscribers.set(channel, (set = new Set()));
      set.add(handlers);
      try {
        const c = await connect();
        if (first && client === c) await c.query(`LISTEN ${quote(channel)}`);
      } catch {
        // Not listening yet: the subscriber hears a reset now, and another (connected) once a retry succeeds.
        handlers.onReset(false);
        scheduleReconnect();
      }
      return async () => {
        set.delete(handlers);
        if (set.size > 0 || subscribers.get(channel) !== set) return;
        subscribers.delete(channel);
        if (client !== undefined) await client.query(`UNLISTEN ${quote(channel)}`).catch(() => undefined);
      };
    },
    async close() {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      subscribers.clear();
      const c = client ?? (connecting ? await connecting.catch(() => undefined) : undefined);
      client = undefined;
      if (c !== undefined) {
        c.removeAllListeners('end');
        await c.end().catch(() => undefined);
      }
    },
  };
}
