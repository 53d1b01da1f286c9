// The checks' TCP connections (TCP_CHECK's connect, HTTP_GET's request and reply) through the
// addon's batched exchanges (native/stream-exchange.c) rather than node:net. A net.Socket costs
// tens of microseconds of JavaScript per connection (streams, handles, event emitters), which at
// 10,000 checks a second is a core on its own; here a thread's connections share one epoll set
// and each wake-up delivers the events of all that are ready in one call.
//
// The engine polls only while some exchange is open, so a thread with nothing in flight can exit.
import { getSystemErrorMap } from 'node:util';
import {
  type ExchangeEngine,
  type ExchangeTarget,
  interfaceIndex,
  nativeConstants,
  type PollHandle,
  sockets,
} from '../net/native.js';
import { cachedBy } from '../weak-cache.js';
import type { TcpTarget } from './tcp.js';

/** What an exchange hears; after end() or failed() (or connected(), when it sends nothing) nothing more. */
export interface ExchangeHandlers {
  connected(): void;
  data(chunk: Buffer): void;
  end(): void;
  failed(error: NodeJS.ErrnoException): void;
}

export interface StreamExchange {
  /** Closes the connection; no handler runs after it. Harmless once the exchange has ended. */
  cancel(): void;
}

/** Where to connect, and from where: the fields of TcpTarget that reach the socket. */
export type StreamEndpoint = Pick<TcpTarget, 'host' | 'port' | 'bindTo' | 'bindPort' | 'bindIf' | 'fwmark'>;

const CONNECTED = 1;
const DATA = 2;
const END = 3;
const FAILED = 4;
/** The call that failed, by native/stream-exchange.c's step number. */
const STEPS = ['', 'connect', 'write', 'read'];

interface OpenExchange {
  handlers: ExchangeHandlers;
  /** Ends at CONNECTED: nothing to send. */
  connectOnly: boolean;
}

let errorNames: Map<number, [string, string]> | undefined;

/**
 * An errno from the addon with what Node's system errors carry (code, errno, syscall, message),
 * as a plain object: a refused check is common, and an Error's stack trace costs microseconds.
 */
function systemError(errno: number, syscall: string): NodeJS.ErrnoException {
  // Node builds the map anew on each call.
  errorNames ??= getSystemErrorMap();
  const [code, description] = errorNames.get(-errno) ?? [`E${errno}`, `error ${errno}`];
  return { name: 'Error', message: `${syscall} ${code}: ${description}`, code, errno: -errno, syscall };
}

/** host, with an IPv6 zone (`fe80::1%eth0`) as the interface index the kernel wants. */
function socketAddress(host: string, port: number): ExchangeTarget {
  const c = nativeConstants();
  const zone = host.indexOf('%');
  if (zone < 0) return { family: host.includes(':') ? c.AF_INET6 : c.AF_INET, address: host, port };
  const name = host.slice(zone + 1);
  const scopeId = /^\d+$/.test(name) ? Number(name) : interfaceIndex(name);
  return { family: c.AF_INET6, address: host.slice(0, zone), port, scopeId };
}

/** Each endpoint's socket address and options, built once: a checker's endpoint never changes. */
const exchangeTarget = cachedBy(newExchangeTarget);

function newExchangeTarget(endpoint: StreamEndpoint): ExchangeTarget {
  const target = socketAddress(endpoint.host, endpoint.port);
  if (endpoint.bindIf !== undefined) target.bindIf = endpoint.bindIf;
  if (endpoint.fwmark !== undefined) target.mark = endpoint.fwmark;
  if (endpoint.bindTo !== undefined || endpoint.bindPort !== undefined)
    target.source = {
      family: target.family,
      address: endpoint.bindTo ?? (target.family === nativeConstants().AF_INET6 ? '::' : '0.0.0.0'),
      port: endpoint.bindPort ?? 0,
    };
  return target;
}

class ExchangeSet {
  readonly #engine: ExchangeEngine;
  readonly #fd: number;
  readonly #open = new Map<number, OpenExchange>();
  #poll: PollHandle | undefined;
  #nextTag = 0;

  constructor() {
    [this.#engine, this.#fd] = sockets().exchangeEngine();
  }

  open(endpoint: StreamEndpoint, request: Buffer | undefined, handlers: ExchangeHandlers): StreamExchange {
    const tag = this.#nextTag;
    this.#nextTag = (this.#nextTag + 1) | 0;
    const slot = sockets().exchangeOpen(this.#engine, tag, exchangeTarget(endpoint), request);
    this.#open.set(tag, { handlers, connectOnly: request === undefined });
    this.#poll ??= sockets().pollStart(this.#fd, () => this.#collect());
    return {
      cancel: () => {
        if (!this.#forget(tag)) return;
        sockets().exchangeCancel(this.#engine, slot, tag);
      },
    };
  }

  /** Whether the exchange was still open; the poll stops with the last one. */
  #forget(tag: number): boolean {
    if (!this.#open.delete(tag)) return false;
    if (this.#open.size === 0 && this.#poll) {
      sockets().pollStop(this.#poll);
      this.#poll = undefined;
    }
    return true;
  }

  #collect(): void {
    const batch = sockets().exchangeCollect(this.#engine);
    if (!batch) return;
    const [events, data] = batch;
    for (let i = 0; i < events.length; i += 4)
      this.#deliver(events[i]!, events[i + 1]!, events[i + 2]!, events[i + 3]!, data);
  }

  #deliver(tag: number, kind: number, a: number, b: number, data: Buffer): void {
    const exchange = this.#open.get(tag);
    // Cancelled by a handler earlier in this batch.
    if (!exchange) return;
    const { handlers } = exchange;
    switch (kind) {
      case CONNECTED:
        if (exchange.connectOnly) this.#forget(tag);
        handlers.connected();
        return;
      case DATA:
        handlers.data(data.subarray(a, a + b));
        return;
      case END:
        this.#forget(tag);
        handlers.end();
        return;
      case FAILED:
        this.#forget(tag);
        handlers.failed(systemError(a, STEPS[b] ?? 'exchange'));
        return;
    }
  }
}

let exchanges: ExchangeSet | undefined;

/**
 * Connects to the endpoint and, when given a request, sends it and streams the reply to the
 * handlers until the peer closes or cancel(). Throws what fails at once, as node:net does for
 * bad arguments: an address it cannot bind, a refused bind_if or fwmark (err.option names it),
 * an unroutable destination.
 */
export function openExchange(
  endpoint: StreamEndpoint,
  request: Buffer | undefined,
  handlers: ExchangeHandlers,
): StreamExchange {
  exchanges ??= new ExchangeSet();
  return exchanges.open(endpoint, request, handlers);
}
