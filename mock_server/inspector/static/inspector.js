"use strict";
// The inspector: a static page over the mock's admin API (/__mock/...), no build step, no dependencies.
// Every value from the mock goes into the page as text, never as markup: journal bodies are whatever
// clients sent.

const API = "/__mock";
const TOKEN_KEY = "hubspot-mock-admin-token";
const PAGE_SIZE = 50;
const POLL_MS = 1000;
// Every admin answer of a proxy's shadow carries this header: only then does the page ask for comparisons, so a
// plain mock's journal never shows the question.
const PROXY_HEADER = "X-HubSpot-Mock-Proxy";
let servedByProxy = false;

const $ = (selector, root = document) => root.querySelector(selector);

/** An element with attributes (on* are listeners) and children (strings become text nodes). */
function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// A table row that opens something: by click, and from the keyboard (Tab to it, Enter or Space).
function openable(open) {
  return {
    tabindex: 0,
    onclick: open,
    onkeydown: (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        open();
      }
    },
  };
}

// ------------------------------------------------------------------------------------------- admin API
class AdminError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let tokenPrompt = null; // one dialog for all the calls that met a 401 at the same time
let tokenDeclined = false; // after Cancel, polls stop asking until the Token button is used

async function api(path, { method = "GET", json, query } = {}) {
  const url = new URL(API + path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== "" && value !== null && value !== undefined) url.searchParams.set(name, value);
  }
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  // Admin writes must say JSON (the mock refuses other writes: a cross-site form cannot send this header).
  if (method !== "GET") headers["Content-Type"] = "application/json";
  if (json !== undefined) body = JSON.stringify(json);
  const response = await fetch(url, { method, headers, body, cache: "no-store" });
  if (response.headers.has(PROXY_HEADER)) servedByProxy = true;
  if (response.status === 401) {
    if (!tokenDeclined && (await askForToken())) return api(path, { method, json, query });
    throw new AdminError(401, "The admin API wants its token: use the Token button.");
  }
  if (!response.ok) {
    let message = response.statusText;
    try {
      message = (await response.json()).message || message;
    } catch (_) {
      /* not JSON: keep the status text */
    }
    throw new AdminError(response.status, `${response.status}: ${message}`);
  }
  return response.status === 204 ? null : response.json();
}

function askForToken() {
  if (tokenPrompt) return tokenPrompt;
  const dialog = $("#token-dialog");
  const input = $("input", dialog);
  tokenPrompt = new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        tokenPrompt = null;
        const value = input.value.trim();
        input.value = "";
        if (dialog.returnValue === "forget") sessionStorage.removeItem(TOKEN_KEY);
        const saved = dialog.returnValue === "save" && value !== "";
        if (saved) sessionStorage.setItem(TOKEN_KEY, value);
        tokenDeclined = !saved;
        resolve(saved);
      },
      { once: true },
    );
    dialog.returnValue = "";
    dialog.showModal();
  });
  return tokenPrompt;
}

// ------------------------------------------------------------------------------------------- formatting
let noticeTimer = null;

function notify(message, kind = "info") {
  const notice = $("#notice");
  notice.textContent = message;
  notice.className = kind;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  if (kind !== "error") noticeTimer = setTimeout(() => (notice.hidden = true), 6000);
}

function failed(error) {
  notify(error.message || String(error), "error");
}

const clock = (iso) => (iso ? iso.slice(11, 23) : "");
// joinedAt / leftAt are mostly whole minutes: 15:00 rather than 15:00:00.000, the precision kept when there is one.
const clockShort = (iso) => clock(iso).replace(/\.000$/, "").replace(/^(\d\d:\d\d):00$/, "$1");
const when = (iso) => (iso ? iso.slice(0, 16).replace("T", " ") : "—");
const number = (n) => n.toLocaleString("en-US");

/** A date and time that may wrap between the two, never inside either. */
function moment(iso) {
  if (!iso) return "—";
  const [date, time] = when(iso).split(" ");
  return [h("span", { class: "nowrap" }, date), " ", h("span", { class: "nowrap" }, time)];
}

/** A panel waiting for its data: it says so (aria-busy) instead of showing stale or empty content. */
function busy(panel, message) {
  panel.setAttribute("aria-busy", "true");
  panel.replaceChildren(h("p", { class: "loading" }, message));
}

/** In the one-column layout of a narrow window the detail sits below the list: bring it into view. */
function reveal(panel) {
  if (getComputedStyle(panel).position !== "sticky") panel.scrollIntoView({ block: "start" });
}

/** A panel whose content is here: rendered in one go. */
function settle(panel, ...children) {
  panel.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined));
  panel.removeAttribute("aria-busy");
}

/** getParticipationsBreakdownByExternalEventId may wrap where a new word starts, rather than anywhere. */
function camelBreaks(name) {
  return name.split(/(?=[A-Z])/).flatMap((part, i) => (i ? [h("wbr"), part] : [part]));
}

function pretty(text) {
  if (!text) return "(empty)";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (_) {
    return text;
  }
}

function statusBadge(status) {
  const kind = status === null ? "dropped" : `s${String(status)[0]}`;
  return h("span", { class: `status ${kind}` }, status === null ? "dropped" : status);
}

// The states a contact reads as, in the order counts are shown; the legends are built from this list.
const STATES = [
  ["REGISTERED", "registered, the event still ahead or under way"],
  ["ATTENDED", "attended"],
  ["CANCELLED", "cancelled"],
  ["NO_SHOW", "registered for an event that has ended (completed, or its end time passed); stored as REGISTERED"],
];

function stateBadge(state) {
  return h("span", { class: `state ${(state || "").toLowerCase()}` }, state || "—");
}

/** The state as the API reads it, and the stored one when they differ (NO_SHOW, or a change read lag hides). */
function readState(state, storedState) {
  const why = state === "NO_SHOW" ? "the event has ended" : "read lag hides the latest change";
  const title = `The API reads ${state || "nothing yet"}; stored ${storedState} (${why}).`;
  return [
    state ? stateBadge(state) : h("span", { class: "muted unread" }, "not readable yet"),
    state !== storedState ? h("span", { class: "stored", title }, `stored ${storedState}`) : null,
  ];
}

/** One coloured count per state, zeros dimmed; the legend says which colour is which. */
function counterBadges(counters) {
  return STATES.map(([state]) =>
    h("span", { class: `state ${state.toLowerCase()}${counters[state] ? "" : " zero"}`, title: `${state}: ${number(counters[state])}` }, number(counters[state])),
  );
}

function renderLegends() {
  for (const legend of document.querySelectorAll(".legend")) {
    legend.replaceChildren(
      h("span", { class: "legend-title" }, "States as the API reads them now:"),
      ...STATES.map(([state, meaning]) => h("span", { class: "legend-item" }, stateBadge(state), " ", meaning)),
    );
  }
}

/** Newer / Older buttons and where this page sits. */
function renderPager(container, { label, newer, older }) {
  container.replaceChildren(
    h("button", { type: "button", class: "newer", disabled: !newer, onclick: newer || null }, "‹ Newer"),
    h("span", {}, label),
    h("button", { type: "button", class: "older", disabled: !older, onclick: older || null }, "Older ›"),
  );
}

function offsetPager(container, page, after, go) {
  const shown = page.results.length;
  const label = page.total ? `${number(after + 1)}–${number(after + shown)} of ${number(page.total)}` : "";
  renderPager(container, {
    label,
    newer: after > 0 ? () => go(Math.max(0, after - PAGE_SIZE)) : null,
    older: page.paging ? () => go(Number(page.paging.next.after)) : null,
  });
}

/** Load calls whose answers may come back out of order: only the latest one's answer is shown. */
function latestOnly() {
  let ticket = 0;
  return {
    take: () => ++ticket,
    current: () => ticket,
  };
}

function debounce(fn, ms = 300) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A filter form's fields as {name: value}, and a callback when a select changes or typing pauses. */
function watchFilters(form, onChange) {
  const values = () => Object.fromEntries(new FormData(form));
  const changed = () => onChange(values());
  const typed = debounce(changed);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", (event) => event.target.tagName === "SELECT" && changed());
  form.addEventListener("input", (event) => event.target.tagName === "INPUT" && typed());
  return values;
}

// ------------------------------------------------------------------------------------------- journal
/** Why the mock answered as it did, in one line. */
function outcome(entry) {
  if (entry.status === null) return `No answer: the connection was dropped${entry.fault ? ` by ${entry.fault}` : ""}.`;
  let body = null;
  try {
    body = JSON.parse(entry.response);
  } catch (_) {
    /* HTML (a CDN error page) or empty */
  }
  const prefix = entry.fault ? `Injected fault ${entry.fault}: ` : "";
  if (entry.status === 429 && body && body.policyName) {
    return `${prefix || "Rate limit (--rate-limits): "}${body.policyName} 429, ${body.message}`;
  }
  if (entry.status >= 400) {
    const category = body && body.category ? `${body.category}: ` : "";
    return `${prefix}${category}${(body && body.message) || `HTTP ${entry.status}`}`;
  }
  if (body && body.numErrors) {
    const first = body.errors && body.errors[0] ? ` First: ${body.errors[0].message}` : "";
    return `${prefix}${body.numErrors} input(s) failed, the rest was applied.${first}`;
  }
  if (body && body.status && body.status !== "COMPLETE") return `${prefix}batch status ${body.status}.`;
  return `${prefix}OK.`;
}

function changeItem(change) {
  const objectId = change.kind === "contact" ? null : change.key.split("/")[0];
  const key = objectId ? h("a", { href: `#events/${encodeURIComponent(objectId)}` }, change.key) : change.key;
  return h("li", {}, h("span", { class: `kind ${change.kind}` }, change.kind), " ", h("b", {}, change.action), " ", key, change.summary ? ` — ${change.summary}` : "");
}

/** Filtering and paging shared by the journal and the proxy's comparisons: newest first, `before` names the page shown (null: the
 * newest, the one that updates live), `cursors` the newer pages to go back to. */
const pagedRows = {
  /** The filter form (`this.form`) drives the list: a change starts again from the newest page. */
  init() {
    const values = watchFilters(this.form, (filters) => {
      this.filters = filters;
      this.firstPage().catch(failed);
    });
    this.filters = values();
  },

  async firstPage() {
    this.cursors = [];
    this.before = null;
    await this.load();
  },

  older() {
    this.cursors.push(this.before);
    this.before = this.rows[this.rows.length - 1].id;
    this.load().catch(failed);
  },

  newer() {
    this.before = this.cursors.pop() ?? null;
    this.load().catch(failed);
  },

  /** Rows new since the last look, on top of the page (which keeps PAGE_SIZE rows); false when none was new. */
  prepend(items) {
    const fresh = items.filter((item) => !this.rows.some((row) => row.id === item.id));
    if (!fresh.length) return false;
    this.rows = [...fresh, ...this.rows];
    if (this.rows.length > PAGE_SIZE) {
      this.rows.length = PAGE_SIZE;
      this.hasOlder = true;
    }
    this.render();
    return true;
  },

  /** A row chosen by id (a click or a deep link): marked in the list, the detail panel told what comes; null
   * (with a hint in the panel) when the id cannot be one. `key` names the panel's dataset entry for the id shown. */
  startSelecting(wanted, rows, panel, key, noun) {
    const id = Number(wanted);
    this.selected = id;
    for (const tr of rows.children) tr.classList.toggle("selected", Number(tr.dataset.id) === id);
    if (!Number.isSafeInteger(id) || id < 1) {
      delete panel.dataset[key];
      settle(panel, h("p", { class: "hint" }, `There is no ${noun} #${wanted}.`));
      return null;
    }
    if (panel.dataset[key] !== String(id)) busy(panel, `Loading ${noun} #${id}…`);
    return id;
  },
};

const journal = {
  ...pagedRows,
  form: $("#journal-filters"),
  filters: {},
  cursors: [], // before_id of each newer page, to go back
  before: null, // this page's before_id; null = the newest page, the one that updates live
  rows: [],
  hasOlder: false,
  total: 0,
  latestId: 0,
  selected: null,
  loaded: false,
  requests: latestOnly(),

  /** The list and, for a deep link (#journal/12), that call's detail: both asked for at once. */
  async show(entryId) {
    if (entryId) return void (await Promise.all([this.load(), this.select(entryId)]));
    if (this.selected === null) this.hint();
    await this.load();
  },

  hint() {
    const panel = $("#journal-detail");
    delete panel.dataset.entry;
    settle(panel, h("p", { class: "hint" }, "Select a call to see its headers, body, answer and the state it changed."));
  },

  async load() {
    const ticket = this.requests.take();
    const page = await api("/journal", { query: { ...this.filters, summary: "true", limit: PAGE_SIZE, before_id: this.before } });
    if (ticket !== this.requests.current()) return;
    this.loaded = true;
    this.rows = page.results;
    this.hasOlder = Boolean(page.paging);
    this.total = page.total;
    this.latestId = Math.max(page.latest_id, ...page.results.map((e) => e.id));
    this.render();
  },

  /** New calls since the last look, on top of the newest page. */
  async poll() {
    if (!this.loaded || this.before !== null) return;
    const ticket = this.requests.current();
    const page = await api("/journal", { query: { ...this.filters, summary: "true", limit: PAGE_SIZE, after_id: this.latestId } });
    if (ticket !== this.requests.current()) return; // a page load started meanwhile: it has the newer view
    if (page.total < this.total || page.latest_id < this.latestId || page.paging) return this.load(); // cleared, or too many
    this.total = page.total;
    this.latestId = Math.max(this.latestId, page.latest_id);
    if (!this.prepend(page.results)) this.renderTotal();
  },

  renderTotal() {
    $("#journal-total").textContent = `${number(this.total)} call${this.total === 1 ? "" : "s"} in the journal`;
  },

  render() {
    this.renderTotal();
    $("#journal-rows").replaceChildren(...this.rows.map((entry) => this.row(entry)));
    const filtered = Object.values(this.filters).some(Boolean);
    const empty = $("#journal-empty");
    empty.hidden = this.rows.length > 0;
    const none = proxy.available
      ? "No calls yet. Each call the upstream applied appears here as the shadow mock took it."
      : "No calls yet. Point a client at this mock and they appear here.";
    empty.textContent = filtered ? "No call matches these filters." : none;
    const live = this.before === null ? " · live" : "";
    renderPager($("#journal-pager"), {
      label: this.rows.length ? `#${this.rows[0].id} – #${this.rows[this.rows.length - 1].id}${live}` : "",
      newer: this.before !== null ? () => this.newer() : null,
      older: this.hasOlder ? () => this.older() : null,
    });
  },

  row(entry) {
    return h(
      "tr",
      {
        dataset: { id: entry.id },
        class: [entry.id === this.selected ? "selected" : "", entry.fault ? "faulted" : ""].join(" ").trim() || null,
        ...openable(() => {
          history.replaceState(null, "", `#journal/${entry.id}`);
          this.select(entry.id).then(() => reveal($("#journal-detail")), failed);
        }),
      },
      h("td", { class: "num" }, entry.id),
      h("td", { class: "mono nowrap" }, clock(entry.at)),
      h("td", { title: `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ""}`, class: "call" }, h("b", {}, entry.method), " ", h("span", { class: "operation" }, entry.operation ? camelBreaks(entry.operation) : entry.path), h("div", { class: "path" }, entry.path)),
      h("td", {}, statusBadge(entry.status)),
      h("td", { class: "fault" }, entry.fault || ""),
      h("td", { class: "num" }, entry.duration_ms.toFixed(1)),
      h("td", { class: "num" }, entry.changes_count || ""),
    );
  },

  async select(wanted) {
    const panel = $("#journal-detail");
    const entryId = this.startSelecting(wanted, $("#journal-rows"), panel, "entry", "call");
    if (entryId === null) return;
    let entry, comparison;
    try {
      entry = await api(`/journal/${entryId}`);
      if (proxy.available && this.selected === entryId) comparison = await proxy.comparisonOf(entry);
    } catch (error) {
      if (this.selected !== entryId) return;
      delete panel.dataset.entry;
      const gone = error.status === 404;
      settle(panel, h("p", { class: "hint" }, gone ? `Call #${entryId} is no longer in the journal.` : `Call #${entryId} could not be loaded: ${error.message}`));
      if (!gone) throw error;
      return;
    }
    if (this.selected !== entryId) return; // another call was selected meanwhile: its answer is the one to show
    panel.dataset.entry = String(entryId);
    settle(panel, this.detail(entry, comparison));
  },

  /** `comparison`: on a proxy, what the proxy found comparing this call with the upstream (null: none kept). */
  detail(entry, comparison) {
    const query = entry.query ? `?${entry.query}` : "";
    const more = entry.changes_count - entry.changes.length;
    return [
      h("h2", { class: "call" }, h("b", {}, entry.method), " ", entry.path + query),
      h(
        "dl",
        {},
        h("dt", {}, "call"), h("dd", {}, `#${entry.id} · ${entry.operation || "—"}`),
        h("dt", {}, "at"), h("dd", { class: "mono" }, entry.at),
        h("dt", {}, "status"), h("dd", {}, statusBadge(entry.status), " ", h("span", { class: "outcome" }, outcome(entry))),
        comparison !== undefined ? [h("dt", {}, "upstream"), h("dd", { class: "compared" }, proxy.verdictOf(comparison))] : null,
        h("dt", {}, "correlation id"), h("dd", { class: "mono" }, entry.correlation_id || "—"),
        h("dt", {}, "duration"), h("dd", {}, `${entry.duration_ms} ms`),
        h("dt", {}, "fault"), h("dd", { class: entry.fault ? "fault" : null }, entry.fault || "none"),
        entry.note ? [h("dt", {}, "mock note"), h("dd", { class: "note" }, entry.note)] : null,
        (entry.sdk || []).length
          ? [h("dt", {}, "official SDKs"), h("dd", { class: "sdk" }, entry.sdk.map((v) => h("div", { class: `verdict ${v.outcome.replace(/ /g, "-")}` }, v.text)))]
          : null,
      ),
      entry.traceback ? [h("h3", {}, "The mock's own failure"), h("pre", { class: "body traceback" }, entry.traceback)] : null,
      h("h3", {}, `State changes (${entry.changes_count})`),
      entry.changes.length
        ? h("ul", { class: "changes" }, entry.changes.map(changeItem), more > 0 ? h("li", {}, `… and ${number(more)} more`) : null)
        : h("p", { class: "hint" }, "None: this call changed nothing."),
      h("h3", {}, "Request headers"),
      h("table", { class: "headers" }, Object.entries(entry.headers).map(([name, value]) => h("tr", {}, h("th", {}, name), h("td", {}, value)))),
      h("h3", {}, "Request body"),
      h("pre", { class: "body request" }, pretty(entry.body)),
      h("h3", {}, "Answer"),
      h("pre", { class: "body response" }, pretty(entry.response)),
    ];
  },

  reset() {
    this.selected = null;
    this.hint();
    return this.firstPage();
  },
};

// ------------------------------------------------------------------------------------------- events
const events = {
  filters: {},
  after: 0,
  selected: null, // the event whose attendees are asked for
  panelFor: null, // the event the attendees panel is built for (null: a hint or a loading state)
  attendeeFilters: { state: "", text: "" },
  attendeeAfter: 0,
  requests: latestOnly(),
  attendeeRequests: latestOnly(),

  init() {
    this.filters = watchFilters($("#events-filters"), (filters) => {
      this.filters = filters;
      this.load(0).catch(failed);
    })();
  },

  /** The list and, for a deep link (#events/510000000001), that event's attendees: both asked for at once. */
  async show(objectId) {
    if (objectId) return void (await Promise.all([this.load(this.after), this.open(objectId)]));
    if (this.selected === null) this.hint();
    await Promise.all([this.load(this.after), this.selected === null ? null : this.loadAttendees(this.attendeeAfter)]);
  },

  hint() {
    this.panelFor = null;
    settle($("#attendees"), h("p", { class: "hint" }, "Select an event to see its attendees and each contact's state history."));
  },

  async load(after) {
    this.after = after;
    const ticket = this.requests.take();
    const page = await api("/events", { query: { ...this.filters, after, limit: PAGE_SIZE } });
    if (ticket !== this.requests.current()) return;
    $("#events-total").textContent = `${number(page.total)} event${page.total === 1 ? "" : "s"}`;
    $("#events-rows").replaceChildren(...page.results.map((event) => this.row(event)));
    $("#events-empty").hidden = page.results.length > 0;
    offsetPager($("#events-pager"), page, after, (next) => this.load(next).catch(failed));
  },

  row(event) {
    const flags = [event.eventCancelled ? "cancelled" : null, event.eventCompleted ? "completed" : null].filter(Boolean);
    return h(
      "tr",
      {
        dataset: { objectId: event.objectId },
        class: event.objectId === this.selected ? "selected" : null,
        ...openable(() => {
          history.replaceState(null, "", `#events/${encodeURIComponent(event.objectId)}`);
          this.open(event.objectId).then(() => reveal($("#attendees")), failed);
        }),
      },
      h(
        "td",
        { class: "event" },
        h("b", { class: "name" }, event.eventName),
        h(
          "div",
          { class: "sub" },
          event.eventType ? h("span", { class: "tag event-type" }, event.eventType) : null,
          flags.map((flag) => h("span", { class: `tag ${flag}` }, flag)),
          " ",
          h("span", { class: "organizer" }, event.eventOrganizer),
        ),
      ),
      h(
        "td",
        { class: "ids" },
        h("div", { class: "mono", title: "objectId" }, event.objectId),
        h("div", { class: "path", title: "externalAccountId / externalEventId" }, `${event.externalAccountId} / ${event.externalEventId}`),
        h("div", { class: "path" }, `app ${event.appId} · portal ${event.portalId}`),
      ),
      h("td", { class: "when mono" }, moment(event.startDateTime), event.endDateTime ? h("div", { class: "muted" }, "→ ", moment(event.endDateTime)) : null),
      h("td", { class: "attendees" }, h("div", { class: "total-attendees", title: "Contacts with a stored state" }, number(event.attendees)), h("div", { class: "counters" }, counterBadges(event.counters))),
    );
  },

  /** One event's attendees. Until its first page is here the panel says it is loading; it is built once per
   * event, with the data in hand, so typing in its filter keeps the focus. */
  async open(objectId) {
    this.selected = objectId;
    for (const tr of $("#events-rows").children) tr.classList.toggle("selected", tr.dataset.objectId === objectId);
    if (this.panelFor !== objectId) {
      this.panelFor = null;
      this.attendeeFilters = { state: "", text: "" };
      busy($("#attendees"), `Loading event ${objectId}…`);
    }
    await this.loadAttendees(0);
  },

  buildPanel(objectId) {
    const filters = h(
      "form",
      { class: "filters", id: "attendee-filters" },
      h("select", { name: "state", title: "The state as the API reads it" }, h("option", { value: "" }, "any state"), STATES.map(([state]) => h("option", { value: state }, state))),
      h("input", { type: "search", name: "text", placeholder: "email or vid…" }),
      h("span", { class: "total", id: "attendee-total" }),
    );
    watchFilters(filters, (values) => {
      this.attendeeFilters = values;
      this.loadAttendees(0).catch(failed);
    });
    $("#attendees").replaceChildren(
      h("h2", { id: "attendee-event" }),
      h("p", { class: "muted", id: "attendee-event-ids" }),
      h("p", { class: "counts", id: "attendee-counts" }),
      filters,
      h(
        "table",
        { class: "rows attendees" },
        h("thead", {}, h("tr", {}, h("th", {}, "contact"), h("th", { title: "The state as the API reads it now" }, "state now"), h("th", { class: "history", title: "Each stored state change, oldest first" }, "state history"))),
        h("tbody", { id: "attendee-rows" }),
      ),
      h("p", { class: "empty", id: "attendee-empty", hidden: true }, "No attendee matches."),
      h("div", { class: "pager", id: "attendee-pager" }),
    );
    this.panelFor = objectId;
  },

  async loadAttendees(after) {
    const objectId = this.selected;
    const panel = $("#attendees");
    const ticket = this.attendeeRequests.take();
    if (this.panelFor === objectId) $("#attendee-rows").setAttribute("aria-busy", "true");
    let page;
    try {
      page = await api(`/events/${encodeURIComponent(objectId)}/attendees`, { query: { ...this.attendeeFilters, after, limit: PAGE_SIZE } });
    } catch (error) {
      if (ticket !== this.attendeeRequests.current()) return;
      this.panelFor = null;
      const gone = error.status === 404;
      settle(panel, h("p", { class: "hint" }, gone ? `Event ${objectId} does not exist (any more).` : `Event ${objectId} could not be loaded: ${error.message}`));
      if (!gone) throw error;
      return;
    }
    if (ticket !== this.attendeeRequests.current()) return;
    this.attendeeAfter = after;
    if (this.panelFor !== objectId) this.buildPanel(objectId);
    const ev = page.event;
    const flags = `${ev.eventCancelled ? " · cancelled" : ""}${ev.eventCompleted ? " · completed" : ""}`;
    $("#attendee-event").replaceChildren(h("span", { class: "name" }, ev.eventName), " ", h("span", { class: "mono muted" }, ev.objectId));
    $("#attendee-event-ids").textContent = `${ev.externalAccountId} / ${ev.externalEventId} · ${ev.eventType || "no type"} · ${when(ev.startDateTime)} → ${when(ev.endDateTime)} UTC${flags}`;
    $("#attendee-counts").replaceChildren(...STATES.map(([state]) => h("span", { class: "state-count" }, stateBadge(state), ` ${number(ev.counters[state])}`)));
    $("#attendee-total").textContent = `${number(page.total)} of ${number(ev.attendees)} attendees`;
    $("#attendee-rows").replaceChildren(...page.results.map((a) => this.attendeeRow(a)));
    $("#attendee-rows").removeAttribute("aria-busy");
    $("#attendee-empty").hidden = page.results.length > 0;
    offsetPager($("#attendee-pager"), page, after, (next) => this.loadAttendees(next).catch(failed));
    panel.removeAttribute("aria-busy");
  },

  attendeeRow(attendee) {
    const steps = attendee.history.map((change) => {
      const stay = change.joinedAt || change.leftAt;
      return h(
        "li",
        { class: "step", title: Object.keys(change.properties).length ? JSON.stringify(change.properties) : null },
        stateBadge(change.state),
        " ",
        h("span", { class: "at mono" }, moment(change.interactionDateTime)),
        stay ? [" ", h("span", { class: "stay mono", title: `joinedAt ${change.joinedAt || "?"}, leftAt ${change.leftAt || "?"}` }, `${clockShort(change.joinedAt) || "?"}–${clockShort(change.leftAt) || "?"}`)] : null,
      );
    });
    return h(
      "tr",
      { dataset: { vid: attendee.vid } },
      h("td", { class: "contact" }, h("div", { class: "email" }, attendee.email || "—"), h("div", { class: "path", title: "vid" }, attendee.vid)),
      h("td", { class: "now" }, readState(attendee.state, attendee.storedState)),
      h("td", { class: "history" }, h("ol", { class: "steps" }, steps)),
    );
  },

  reset() {
    this.selected = null;
    this.after = 0;
    this.hint();
  },
};

// ------------------------------------------------------------------------------------------- contacts
const contacts = {
  filters: {},
  after: 0,
  requests: latestOnly(),

  init() {
    this.filters = watchFilters($("#contacts-filters"), (filters) => {
      this.filters = filters;
      this.load(0).catch(failed);
    })();
  },

  show() {
    return this.load(this.after);
  },

  async load(after) {
    this.after = after;
    const ticket = this.requests.take();
    const page = await api("/contacts", { query: { ...this.filters, after, limit: PAGE_SIZE } });
    if (ticket !== this.requests.current()) return;
    $("#contacts-total").textContent = `${number(page.total)} contact${page.total === 1 ? "" : "s"}`;
    $("#contacts-rows").replaceChildren(...page.results.map((contact) => this.row(contact)));
    $("#contacts-empty").hidden = page.results.length > 0;
    offsetPager($("#contacts-pager"), page, after, (next) => this.load(next).catch(failed));
  },

  row(contact) {
    const properties = Object.entries(contact.properties).filter(([name]) => name !== "email");
    return h(
      "tr",
      { dataset: { vid: contact.vid } },
      h("td", { class: "mono" }, contact.vid),
      h("td", { class: "email" }, contact.email || "—"),
      h("td", { class: "properties" }, properties.map(([name, value]) => h("span", { class: "property" }, `${name}: ${value}`))),
      h("td", { class: "mono" }, moment(contact.createdAt)),
      h(
        "td",
        { class: "contact-events" },
        contact.events.map((e) =>
          h("a", { class: "event-state", href: `#events/${encodeURIComponent(e.objectId)}`, title: `${e.eventName} (${e.objectId})` }, h("span", { class: "name" }, e.eventName), " ", readState(e.state, e.storedState)),
        ),
      ),
    );
  },

  reset() {
    this.after = 0;
  },
};

// ------------------------------------------------------------------------------------------- faults
const faults = {
  presets: null,
  rules: [],

  init() {
    $("#custom-fault").addEventListener("submit", (event) => {
      event.preventDefault();
      let rule;
      try {
        rule = JSON.parse(new FormData(event.target).get("rule"));
      } catch (error) {
        return notify(`Not JSON: ${error.message}`, "error");
      }
      this.arm(rule).catch(failed);
    });
    $("#clear-faults").addEventListener("click", () => this.clear().catch(failed));
  },

  async show() {
    if (!this.presets) {
      this.presets = await api("/faults/presets");
      $("#presets").replaceChildren(
        ...this.presets.map((preset) =>
          h("button", { type: "button", class: "preset", dataset: { preset: preset.name }, title: preset.description, onclick: () => this.armPreset(preset).catch(failed) }, preset.label, h("small", {}, preset.description)),
        ),
      );
    }
    await this.refresh();
  },

  armPreset(preset) {
    const operation = new FormData($("#preset-scope")).get("operation");
    return this.arm({ ...preset.rule, ...(operation ? { operation } : {}) });
  },

  async arm(rule) {
    const armed = await api("/faults", { method: "POST", json: rule });
    notify(`Armed ${armed.map(describeRule).join("; ")}`);
    await this.refresh();
  },

  async remove(id) {
    await api(`/faults/${encodeURIComponent(id)}`, { method: "DELETE" });
    await this.refresh();
  },

  async clear() {
    await api("/faults", { method: "DELETE" });
    notify("All faults cleared: every call is answered normally.");
    await this.refresh();
  },

  async refresh() {
    this.rules = await api("/faults");
    const live = this.rules.filter((rule) => !spent(rule));
    $("#armed-count").textContent = live.length ? String(live.length) : "";
    if (current !== "faults") return;
    $("#fault-rows").replaceChildren(
      ...this.rules.map((rule) =>
        h(
          "tr",
          { dataset: { id: rule.id }, class: spent(rule) ? "spent" : null },
          h("td", { class: "mono" }, rule.id),
          h("td", {}, describeAction(rule)),
          h("td", {}, describeMatch(rule)),
          h("td", {}, describeTrigger(rule)),
          h("td", { class: "num" }, rule.matched),
          h("td", { class: "num" }, rule.fired),
          h("td", {}, h("button", { type: "button", class: "remove", onclick: () => this.remove(rule.id).catch(failed) }, "Remove")),
        ),
      ),
    );
    $("#faults-empty").hidden = this.rules.length > 0;
  },
};

const spent = (rule) => rule.times !== undefined && rule.fired >= rule.times;

function describeAction(rule) {
  const details = {
    respond: () => `${rule.status}${rule.status === 429 ? ` ${rule.rate_limit}` : ""}`,
    latency: () => `${rule.delay_range_ms ? rule.delay_range_ms.join("–") : rule.delay_ms} ms ${rule.when}`,
    drop: () => rule.when,
    hang: () => `${rule.hang_ms} ms`,
    partial: () => (rule.fail_count !== undefined ? `${rule.fail_count} inputs` : `${(rule.fail_fraction ?? 0.5) * 100}% of inputs`),
    batch_status: () => rule.batch_status,
    slow_body: () => `${rule.chunk_bytes} B every ${rule.chunk_delay_ms} ms`,
  };
  return `${rule.action} ${details[rule.action] ? details[rule.action]() : ""}`.trim();
}

function describeMatch(rule) {
  const parts = ["operation", "method", "app_id", "body_contains"].filter((k) => rule[k] !== undefined).map((k) => `${k}=${rule[k]}`);
  if (rule.token !== undefined) parts.push("one token");
  return parts.join(", ") || "every call";
}

function describeTrigger(rule) {
  const parts = [];
  if (rule.times !== undefined) parts.push(`next ${rule.times}${spent(rule) ? " (spent)" : ""}`);
  if (rule.every !== undefined) parts.push(`every ${rule.every}th`);
  if (rule.probability !== undefined) parts.push(`p=${rule.probability}`);
  if (rule.active_from_s !== undefined || rule.active_until_s !== undefined) parts.push(`${rule.active_from_s ?? 0}–${rule.active_until_s ?? "∞"} s after arming`);
  return parts.join(", ") || "until cleared";
}

const describeRule = (rule) => `${rule.id}: ${describeAction(rule)} (${describeMatch(rule)}; ${describeTrigger(rule)})`;


// ------------------------------------------------------------------------------------------- proxy
// Served by `hubspot-mock proxy`, the page shows the shadow mock (journal, events, contacts) and, in this tab,
// what the proxy compared: each call's upstream answer against the shadow's, and where they differ.
const OUTCOMES = {
  matched: "matched",
  differed: "differed",
  upstream_fault: "upstream fault",
  not_compared: "not compared",
};
// What a comparison shows of an answer's headers: the ones compared, and the ones that say why.
const HEADERS_THAT_MATTER = /^(content-type|x-hubspot-correlation-id|x-hubspot-ratelimit-.*|retry-after|location|x-hubspot-mock-note)$/i;

const plural = (count, noun) => `${number(count)} ${noun}${count === 1 ? "" : "s"}`;

function resultBadge(outcomeName) {
  return h("span", { class: `result ${outcomeName}` }, OUTCOMES[outcomeName] || outcomeName);
}

/** A body kept by the proxy: {json}, {text}, {base64} or {} (none). */
function prettyBody(body) {
  if (!body || !Object.keys(body).length) return "(empty)";
  if ("json" in body) return JSON.stringify(body.json, null, 2);
  if ("text" in body) return body.text || "(empty)";
  return `(not text: ${number(Math.floor((body.base64.length * 3) / 4))} bytes, base64)`;
}

function headerTable(pairs, className) {
  return h("table", { class: `headers ${className}` }, pairs.map(([name, value]) => h("tr", {}, h("th", {}, name), h("td", {}, value))));
}

const proxy = {
  ...pagedRows,
  available: false,
  form: $("#proxy-filters"),
  filters: {},
  cursors: [],
  before: null, // null: the newest page, the one that updates live
  rows: [],
  hasOlder: false,
  latestId: 0,
  selected: null,
  loaded: false,
  report: null,
  requests: latestOnly(),

  /** The page is a proxy's: the tab appears, what the proxy refuses (faults, reset on the shadow) goes. */
  enable() {
    this.available = true;
    views.proxy = this;
    $("#proxy-tab").hidden = false;
    for (const element of document.querySelectorAll("[data-mock-only]")) element.hidden = true;
    $("h1 span").textContent = "proxy inspector";
    document.title = "HubSpot mock proxy inspector";
  },

  async show(comparisonId) {
    if (comparisonId) return void (await Promise.all([this.load(), this.loadReport(), this.select(comparisonId)]));
    if (this.selected === null) this.hint();
    await Promise.all([this.load(), this.loadReport()]);
  },

  hint() {
    const panel = $("#proxy-detail");
    delete panel.dataset.comparison;
    settle(panel, h("p", { class: "hint" }, "Select a call to see the upstream's answer, the shadow mock's, where they differ and the settings that would have matched."));
  },

  // ------------------------------------------------------------------ the report, in short
  async loadReport() {
    this.report = await api("/proxy/report");
    this.renderReport();
  },

  renderReport() {
    const report = this.report;
    const totals = report.totals;
    const changed = Object.entries(report.baseline.settings).map(([name, value]) => `${name}=${value}`);
    const suggestions = report.settings_that_match;
    const shown = suggestions.slice(0, 6);
    $("#differed-count").textContent = totals.differed ? String(totals.differed) : "";
    const outcomeTotals = { "": totals.calls, matched: totals.matched, differed: totals.differed, upstream_fault: totals.upstream_faults, not_compared: totals.not_compared };
    const total = outcomeTotals[this.filters.outcome || ""];
    $("#proxy-total").textContent = `${plural(total, "call")}${this.filters.outcome ? ` ${OUTCOMES[this.filters.outcome]}` : " proxied"}`;
    settle(
      $("#proxy-summary"),
      h(
        "p",
        { class: "upstream" },
        "Upstream ",
        h("b", { class: "mono" }, report.upstream),
        " · shadow mock: ",
        h("b", {}, report.baseline.profile),
        " profile",
        changed.length ? [" with ", h("span", { class: "mono" }, changed.join(", "))] : null,
        ` · ${plural(report.candidates.length, "candidate setting")} measured beside it`,
      ),
      h(
        "p",
        { class: "totals" },
        h("b", {}, plural(totals.calls, "call")),
        `: ${number(totals.compared)} compared, `,
        resultBadge("matched"), ` ${number(totals.matched)} `,
        resultBadge("differed"), ` ${number(totals.differed)} `,
        resultBadge("upstream_fault"), ` ${number(totals.upstream_faults)} (passed through, not applied to the mock) `,
        resultBadge("not_compared"), ` ${number(totals.not_compared)}`,
      ),
      h(
        "div",
        { class: "suggestions" },
        h("span", { class: "legend-title" }, "Settings that would match the upstream: "),
        suggestions.length
          ? shown.map((s) =>
              h(
                "span",
                { class: "suggestion", title: `Operations: ${s.operations.join(", ")}` },
                h("code", { class: "setting" }, s.setting),
                ` fixes ${plural(s.differences_fixed, "difference")}`,
                s.differences_added || s.calls_broken ? `, adds ${number(s.differences_added)}, breaks ${plural(s.calls_broken, "call")}` : "",
              ),
            )
          : h("span", { class: "muted" }, totals.differed ? "none: no single setting removes a difference (a gap in the mock)." : "nothing to change so far."),
        suggestions.length > shown.length ? h("span", { class: "muted" }, `… and ${number(suggestions.length - shown.length)} more`) : null,
        " ",
        h("a", { href: `${API}/proxy/report?format=markdown`, target: "_blank", rel: "noopener" }, "the whole report"),
      ),
    );
  },

  // ------------------------------------------------------------------ the list
  async load() {
    const ticket = this.requests.take();
    const page = await api("/proxy/comparisons", { query: { ...this.filters, summary: "true", limit: PAGE_SIZE, before_id: this.before } });
    if (ticket !== this.requests.current()) return;
    this.loaded = true;
    this.rows = page.comparisons;
    this.hasOlder = Boolean(page.paging);
    this.latestId = page.latest_id;
    this.render();
    if (this.report) this.renderReport(); // the total follows the outcome filter
  },

  /** Calls compared since the last look, on top of the newest page; the report summary with them. */
  async poll() {
    if (!this.loaded) return;
    const ticket = this.requests.current();
    const page = await api("/proxy/comparisons", { query: { ...this.filters, summary: "true", limit: PAGE_SIZE, after_id: this.latestId } });
    if (ticket !== this.requests.current() || page.latest_id === this.latestId) return;
    await this.loadReport();
    if (this.before !== null) return void (this.latestId = page.latest_id);
    if (page.paging) return this.load(); // more than a page since the last look
    this.latestId = page.latest_id;
    this.prepend(page.comparisons);
  },

  render() {
    $("#proxy-rows").replaceChildren(...this.rows.map((c) => this.row(c)));
    const empty = $("#proxy-empty");
    empty.hidden = this.rows.length > 0;
    empty.textContent = this.filters.outcome
      ? `No call ${OUTCOMES[this.filters.outcome]} among those kept.`
      : "No calls yet. Point your integration at this proxy and each call appears here, compared.";
    const live = this.before === null ? " · live" : "";
    renderPager($("#proxy-pager"), {
      label: this.rows.length ? `#${this.rows[0].id} – #${this.rows[this.rows.length - 1].id}${live}` : "",
      newer: this.before !== null ? () => this.newer() : null,
      older: this.hasOlder ? () => this.older() : null,
    });
  },

  row(c) {
    // An upstream fault's reason is its status, or what went wrong without one (a timeout): only the latter says more.
    const fault = c.outcome === "upstream_fault" && c.reason !== String(c.upstream.status) ? c.reason : "";
    const why = c.outcome === "differed" ? plural(c.differences_count, "difference") : fault;
    return h(
      "tr",
      {
        dataset: { id: c.id, outcome: c.outcome },
        class: c.id === this.selected ? "selected" : null,
        title: c.reason || null,
        ...openable(() => {
          history.replaceState(null, "", `#proxy/${c.id}`);
          this.select(c.id).then(() => reveal($("#proxy-detail")), failed);
        }),
      },
      h("td", { class: "num" }, c.id),
      h("td", { class: "mono nowrap" }, clock(c.at)),
      h("td", { class: "call", title: c.operation }, h("b", {}, c.request.method), " ", h("span", { class: "path" }, c.request.path)),
      h("td", { class: "upstream-status" }, c.upstream.fault ? h("span", { class: "status s5", title: c.upstream.fault }, c.upstream.status) : statusBadge(c.upstream.status)),
      h("td", { class: "mock-status" }, c.mock ? statusBadge(c.mock.status) : h("span", { class: "muted", title: "Not applied to the shadow mock" }, "—")),
      h("td", { class: "outcome-cell" }, resultBadge(c.outcome), why ? h("div", { class: "sub" }, why) : null),
    );
  },

  // ------------------------------------------------------------------ one comparison
  async select(wanted) {
    const panel = $("#proxy-detail");
    const comparisonId = this.startSelecting(wanted, $("#proxy-rows"), panel, "comparison", "comparison");
    if (comparisonId === null) return;
    let comparison, entry;
    try {
      comparison = await api(`/proxy/comparisons/${comparisonId}`);
      if (this.selected === comparisonId) entry = await this.journalEntryOf(comparison);
    } catch (error) {
      if (this.selected !== comparisonId) return;
      delete panel.dataset.comparison;
      const gone = error.status === 404;
      settle(panel, h("p", { class: "hint" }, gone ? `Comparison #${comparisonId} is no longer kept (the proxy keeps the last 1000).` : `Comparison #${comparisonId} could not be loaded: ${error.message}`));
      if (!gone) throw error;
      return;
    }
    if (this.selected !== comparisonId) return;
    panel.dataset.comparison = String(comparisonId);
    settle(panel, this.detail(comparison, entry));
  },

  /** The shadow's journal entry for a comparison's call, found by the shadow's correlation id (null: gone). */
  async journalEntryOf(comparison) {
    const correlationId = comparison.shadow_correlation_id;
    if (!correlationId) return null;
    const page = await api("/journal", { query: { text: correlationId, summary: "true", limit: 5 } });
    return page.results.find((e) => e.correlation_id === correlationId) || null;
  },

  /** The comparison of a journal entry's call (null: none kept for it). */
  async comparisonOf(entry) {
    if (!entry.correlation_id || entry.kind === "admin") return null;
    const page = await api("/proxy/comparisons", { query: { correlation_id: entry.correlation_id, summary: "true", limit: 1 } });
    return page.comparisons[0] || null;
  },

  /** For a journal entry's detail: what comparing its call with the upstream found, linked to the comparison. */
  verdictOf(comparison) {
    if (!comparison) return h("span", { class: "muted" }, "no comparison kept for this call");
    const found = comparison.outcome === "matched" ? "matched" : plural(comparison.differences_count, "difference");
    return [
      resultBadge(comparison.outcome),
      " ",
      h("a", { class: "comparison-link", href: `#proxy/${comparison.id}` }, `compared with the upstream: ${found}`),
    ];
  },

  detail(c, entry) {
    const query = c.request.query.length ? `?${c.request.query.map(([k, v]) => `${k}=${v}`).join("&")}` : "";
    const applied = c.mock !== null;
    return [
      h("h2", { class: "call" }, h("b", {}, c.request.method), " ", c.request.path + query),
      h(
        "dl",
        {},
        h("dt", {}, "comparison"), h("dd", {}, `#${c.id} · `, h("span", { class: "operation" }, c.operation)),
        h("dt", {}, "at"), h("dd", { class: "mono" }, c.at),
        h("dt", {}, "outcome"), h("dd", {}, resultBadge(c.outcome), " ", h("span", { class: "outcome" }, this.why(c))),
        h("dt", {}, "upstream"), h("dd", {}, statusBadge(c.upstream.status), ` in ${c.upstream.duration_ms} ms`, c.upstream.fault ? [" · ", h("span", { class: "fault" }, c.upstream.fault)] : null),
        h("dt", {}, "shadow mock"), h("dd", {}, applied ? statusBadge(c.mock.status) : h("span", { class: "muted" }, "not applied")),
        applied
          ? [
              h("dt", {}, "shadow's journal"),
              h(
                "dd",
                { class: "journal-link" },
                entry
                  ? h("a", { href: `#journal/${entry.id}`, title: `The call as the shadow mock took it (correlation id ${c.shadow_correlation_id})` }, `call #${entry.id}`)
                  : h("span", { class: "muted" }, "no longer in the shadow's journal"),
                " · ",
                h("span", { class: "mono" }, c.shadow_correlation_id || "—"),
              ),
            ]
          : null,
        c.notes.length ? [h("dt", {}, "notes"), h("dd", { class: "note" }, c.notes.join(" "))] : null,
      ),
      applied ? this.differences(c) : null,
      h("h3", {}, "Request (as forwarded, redacted)"),
      headerTable(c.request.headers, "request"),
      h("pre", { class: "body request" }, prettyBody(c.request.body)),
      this.answer("The upstream's answer", c.upstream, "upstream"),
      applied ? this.answer("The shadow mock's answer", c.mock, "mock") : null,
    ];
  },

  why(c) {
    if (c.outcome === "matched") return "The mock answered as the upstream did.";
    if (c.outcome === "differed") return `The mock answered differently: ${plural(c.differences_count, "difference")}.`;
    if (c.outcome === "upstream_fault") return `The upstream's fault (${c.reason}): passed through to the caller, not applied to the mock.`;
    return `Not compared: ${c.reason}.`;
  },

  differences(c) {
    const list = c.differences.length
      ? h(
          "table",
          { class: "rows differences" },
          h("thead", {}, h("tr", {}, h("th", {}, "field"), h("th", {}, "upstream"), h("th", {}, "mock"), h("th", { title: "Settings under which the mock did not differ here" }, "matches with"))),
          h(
            "tbody",
            {},
            c.differences.map((d) =>
              h(
                "tr",
                { dataset: { field: d.field } },
                h("td", { class: "field mono" }, d.field),
                h("td", { class: "value" }, d.upstream),
                h("td", { class: "value" }, d.mock),
                h("td", { class: "settings" }, d.settings_that_match.length ? d.settings_that_match.map((s) => h("code", { class: "setting" }, s)) : h("span", { class: "muted" }, "no single setting")),
              ),
            ),
          ),
        )
      : h("p", { class: "hint" }, "None: status, headers that matter and body agree (ids, times and messages by type and format).");
    return [
      h("h3", {}, `Differences (${c.differences.length})`),
      list,
      c.differences.length
        ? [
            h("h3", {}, "Settings under which the mock matched this call entirely"),
            c.settings_that_match.length
              ? h("p", { class: "whole-call" }, c.settings_that_match.map((s) => h("code", { class: "setting" }, s)))
              : h("p", { class: "hint" }, "None: no single setting makes the whole answer match."),
          ]
        : null,
    ];
  },

  answer(title, answer, className) {
    const shown = answer.headers.filter(([name]) => HEADERS_THAT_MATTER.test(name));
    const others = answer.headers.length - shown.length;
    return [
      h("h3", {}, title, " ", statusBadge(answer.status)),
      headerTable(shown, className),
      others ? h("p", { class: "muted more-headers" }, `${plural(others, "other header")} not shown`) : null,
      h("pre", { class: `body ${className}` }, prettyBody(answer.body)),
    ];
  },
};

// ------------------------------------------------------------------------------------------- the page
const views = { journal, events, contacts, faults }; // and `proxy`, when the page is a proxy's
let current = null;

async function route() {
  const [name, arg] = (location.hash.slice(1) || (proxy.available ? "proxy" : "journal")).split("/");
  current = views[name] ? name : "journal";
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${current}`;
  for (const tab of document.querySelectorAll("#tabs a")) tab.toggleAttribute("aria-current", tab.dataset.view === current);
  await views[current].show(arg ? decodeURIComponent(arg) : null);
}

async function loadOperations() {
  // A proxy forwards /openapi.json upstream; it serves the shadow's under its own prefix.
  const spec = await (await fetch(proxy.available ? `${API}/proxy/openapi.json` : "/openapi.json")).json();
  const ids = Object.entries(spec.paths)
    .filter(([path]) => !path.startsWith(`${API}/`))
    .flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
        .map(([method, op]) => ({ id: op.operationId, title: `${method.toUpperCase()} ${path}` })),
    );
  for (const select of document.querySelectorAll("select[name=operation]")) {
    select.append(...ids.map((op) => h("option", { value: op.id, title: op.title }, op.id)));
  }
}

async function snapshot() {
  const image = await api("/snapshot", { method: "POST" });
  const blob = new Blob([JSON.stringify(image, null, 2)], { type: "application/json" });
  const link = h("a", { href: URL.createObjectURL(blob), download: `hubspot-mock-state-${new Date().toISOString().replace(/[:.]/g, "-")}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  const portals = image.portals || [];
  const count = (key) => portals.reduce((sum, p) => sum + (p[key] || []).length, 0);
  notify(`Snapshot downloaded: ${count("events")} events, ${count("contacts")} contacts (also saved to the --state file, if the mock has one).`);
}

async function reset() {
  if (!confirm("Reset the mock? State goes back to the seed; the journal and faults are emptied.")) return;
  await api("/reset", { method: "POST" });
  events.reset();
  contacts.reset();
  await journal.reset();
  await faults.refresh();
  await views[current].show(null);
  notify("Reset: state is back to the seed, journal and faults are empty.");
}

let polling = false;

async function poll() {
  if (!$("#live").checked || polling || tokenPrompt) return;
  polling = true;
  try {
    if (!proxy.available) await faults.refresh(); // a proxy's shadow takes no faults
    if (current === "journal") await journal.poll();
    if (current === "proxy") await proxy.poll();
  } catch (error) {
    failed(error);
  } finally {
    polling = false;
  }
}

/** The page's first admin call; on a proxy its answer says so, and then the comparisons must answer too. */
async function detectProxy() {
  try {
    await faults.refresh();
  } catch (error) {
    return failed(error);
  }
  if (!servedByProxy) return;
  try {
    await api("/proxy/comparisons", { query: { limit: 1, summary: "true" } });
  } catch (error) {
    return failed(error);
  }
  proxy.enable();
}

function start() {
  renderLegends();
  proxy.init();
  journal.init();
  events.init();
  contacts.init();
  faults.init();
  $("#snapshot").addEventListener("click", () => snapshot().catch(failed));
  $("#reset").addEventListener("click", () => reset().catch(failed));
  $("#token-button").addEventListener("click", async () => {
    tokenDeclined = false;
    if (await askForToken()) route().catch(failed);
  });
  window.addEventListener("hashchange", () => route().catch(failed));
  detectProxy()
    .then(() => {
      loadOperations().catch(failed);
      return route();
    })
    .catch(failed)
    .finally(() => {
      document.body.dataset.ready = "true";
      setInterval(poll, POLL_MS);
    });
}

start();
