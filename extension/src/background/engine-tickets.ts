/**
 * Who may run an engine: the background mints a random one-time ticket per tab for our content
 * script, and the engine page redeems it before it loads anything (see shared/engine-protocol.ts).
 *
 * - A ticket is minted only for a content script (a sender in a tab, not an extension page), and
 *   replaces the tab's previous one: at most one engine per tab. The old engine is told to stop.
 * - It is redeemed once, by our own engine.html in that same tab.
 * - At most MAX_ENGINES tabs hold a ticket at once (every engine frame of the extension runs in
 *   one extension process): past that, tickets are refused with 'too-many-engines', after tabs
 *   whose content script no longer runs the engine of their ticket were pruned.
 *
 * The book lives in storage.session (memory only, not readable by content scripts), so it
 * survives the service worker being stopped between events.
 */
import browser from 'webextension-polyfill';
import {
  TICKET_PATTERN,
  newTicket,
  type HeldQuery,
  type RedeemReply,
  type RevokeNotice,
  type TicketReply,
} from '../shared/engine-protocol.js';

export const MAX_ENGINES = 8;
const KEY = 'engineTickets';
/** How long a tab's content script gets to say it still runs its engine, ms. */
const HELD_TIMEOUT_MS = 1_000;

interface Entry {
  ticket: string;
  frameId: number;
  redeemed: boolean;
}
type Book = Record<string, Entry>;

let memory: Book = {};
const session = (browser.storage as { session?: browser.Storage.StorageArea }).session;

async function load(): Promise<Book> {
  if (!session) return memory;
  const got = (await session.get(KEY))[KEY] as Book | undefined;
  return got && typeof got === 'object' ? got : {};
}

async function save(book: Book): Promise<void> {
  if (session) await session.set({ [KEY]: book });
  else memory = book;
}

/** One change to the book at a time (messages arrive concurrently). */
let queue: Promise<unknown> = Promise.resolve();
function locked<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

function revoke(ticket: string): void {
  const m: RevokeNotice = { type: 'engine-revoked', ticket };
  // Reaches every extension page, engine frames included; none may be listening.
  browser.runtime.sendMessage(m).catch(() => undefined);
}

/** The sender is one of our extension pages (not a content script in a web page). */
function isExtensionPage(sender: browser.Runtime.MessageSender): boolean {
  try {
    return /^(chrome|moz)-extension:$/.test(new URL(sender.url ?? '').protocol);
  } catch {
    return false;
  }
}

/** Does the tab's content script still run the engine of `entry`? */
async function held(tabId: number, entry: Entry): Promise<boolean> {
  const q: HeldQuery = { type: 'engine-held', ticket: entry.ticket };
  const answer = browser.tabs.sendMessage(tabId, q, { frameId: entry.frameId }).then((r) => r === true, () => false);
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), HELD_TIMEOUT_MS));
  return Promise.race([answer, timeout]);
}

export function mintTicket(sender: browser.Runtime.MessageSender): Promise<TicketReply> {
  return locked(async () => {
    const tabId = sender.tab?.id;
    if (tabId === undefined || tabId < 0 || sender.id !== browser.runtime.id || isExtensionPage(sender)) {
      return { ok: false, code: 'not-allowed', message: 'an engine ticket is only given to the content script of a tab' };
    }
    const book = await load();
    const old = book[tabId];
    if (old) {
      delete book[tabId];
      revoke(old.ticket);
    }
    if (Object.keys(book).length >= MAX_ENGINES) {
      for (const [tab, entry] of Object.entries(book)) {
        if (!(await held(Number(tab), entry))) {
          delete book[tab];
          revoke(entry.ticket);
        }
      }
    }
    if (Object.keys(book).length >= MAX_ENGINES) {
      await save(book);
      return {
        ok: false,
        code: 'too-many-engines',
        message: `the engine already runs in ${MAX_ENGINES} tabs, the most at once: turn it off in another tab`,
      };
    }
    const ticket = newTicket();
    book[tabId] = { ticket, frameId: sender.frameId ?? 0, redeemed: false };
    await save(book);
    return { ok: true, ticket };
  });
}

/** Our engine page in the ticket's tab, the ticket current and not redeemed yet: then, and once, yes. */
export function redeemTicket(ticket: unknown, sender: browser.Runtime.MessageSender): Promise<RedeemReply> {
  return locked(async () => {
    const tabId = sender.tab?.id;
    if (typeof ticket !== 'string' || !TICKET_PATTERN.test(ticket) || tabId === undefined || sender.id !== browser.runtime.id) return { ok: false };
    if (!isExtensionPage(sender) || new URL(sender.url ?? '').pathname !== '/engine.html') return { ok: false };
    const book = await load();
    const entry = book[tabId];
    if (!entry || entry.ticket !== ticket || entry.redeemed) return { ok: false };
    entry.redeemed = true;
    await save(book);
    return { ok: true };
  });
}

/** The content script stopped its engine. */
export function releaseTicket(ticket: unknown, sender: browser.Runtime.MessageSender): Promise<void> {
  return locked(async () => {
    const tabId = sender.tab?.id;
    if (typeof ticket !== 'string' || tabId === undefined) return;
    const book = await load();
    if (book[tabId]?.ticket !== ticket) return;
    delete book[tabId];
    await save(book);
    revoke(ticket);
  });
}

/** The tab closed: its engine went with it. */
export function forgetTab(tabId: number): Promise<void> {
  return locked(async () => {
    const book = await load();
    if (!book[tabId]) return;
    delete book[tabId];
    await save(book);
  });
}
