// Calls methods of the official HubSpot Node SDK (@hubspot/api-client, pinned in package.json) and reports what
// each one handed back: a model, nothing, or which error with which status. Used by tests/test_sdk_verdict.py.
// Input on stdin: {"baseUrl", "calls": [{"id", "method": "marketing.events.batchApi.upsert", "args": {name: value},
// "retries": 0}]}. Each call sends an `X-Stub-Answer: <id>` header, so that the test's stub server knows which
// answer to give. Output: ONE JSON line {"sdkVersion", "results": [{id, ok, status, model, empty, error, waits}]}.
// Calls with retries > 0 run first, one at a time, with setTimeout recording the wait the SDK asks for and
// firing at once: `waits` is what the SDK would have slept (a TEN_SECONDLY_ROLLING 429 asks for 10 s).
import { readFileSync } from 'node:fs';
import { Client } from '@hubspot/api-client';

const { baseUrl, calls, concurrency = 16 } = JSON.parse(readFileSync(0, 'utf8'));
const sdkVersion = JSON.parse(
  readFileSync(new URL('./node_modules/@hubspot/api-client/package.json', import.meta.url)),
).version;

// The API object and the method's parameter names (from the generated code, e.g.
// `upsertWithHttpInfo(batchInputMarketingEventCreateRequestParams, _options)`), so the test passes args by name.
function resolve(dotted, retries) {
  const parts = dotted.split('.');
  const method = parts.pop();
  // A fresh client per call: the SDK's decorators (retries) live in a process-wide singleton that is applied
  // when an API object is first reached, so the client must be built and its API reached in one go.
  let api = new Client({ accessToken: 'pat-na1-verdict', basePath: baseUrl, numberOfApiCallRetries: retries });
  for (const part of parts) api = api[part];
  const generated = Object.getPrototypeOf(api)[`${method}WithHttpInfo`];
  if (typeof generated !== 'function') throw new Error(`no method ${dotted}WithHttpInfo in the SDK`);
  const params = generated.toString().match(/^[^(]*\(([^)]*)\)/)[1].split(',').map((p) => p.trim());
  return { api, method, params };
}

async function run({ id, method: dotted, args = {}, retries = 0 }) {
  const { api, method, params } = resolve(dotted, retries);
  const options = {
    middlewareMergeStrategy: 'replace',
    middleware: [{ pre: async (ctx) => (ctx.setHeaderParam('X-Stub-Answer', id), ctx), post: async (ctx) => ctx }],
  };
  const values = params.map((name) => (name === '_options' ? options : args[name]));
  try {
    // `api.method(...)` is `api.methodWithHttpInfo(...)` minus the status: same request, same response processor.
    const info = await api[`${method}WithHttpInfo`](...values);
    const data = info.data;
    const model = data && typeof data === 'object' ? data.constructor.name : null;
    const empty = model !== null && Object.values(data).every((v) => v === undefined);
    return { id, ok: true, status: info.httpStatusCode, model, empty, isNull: data === null, error: null };
  } catch (e) {
    const code = typeof e?.code === 'number' ? e.code : null; // FetchError's code is a string (ECONNRESET)
    return { id, ok: false, status: code, model: null, empty: false, isNull: false,
             error: { name: e?.constructor?.name ?? 'Error', message: String(e?.message ?? e) } };
  }
}

const results = new Array(calls.length);
const realSetTimeout = globalThis.setTimeout;
for (const [i, call] of calls.entries()) {
  if (!call.retries) continue;
  const waits = [];
  globalThis.setTimeout = (fn, ms, ...rest) => (waits.push(ms), realSetTimeout(fn, 0, ...rest));
  try {
    results[i] = { ...(await run(call)), waits };
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
}
let next = 0;
async function worker() {
  while (next < calls.length) {
    const i = next++;
    if (!calls[i].retries) results[i] = await run(calls[i]);
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, calls.length) }, worker));
process.stdout.write(JSON.stringify({ sdkVersion, results }) + '\n');
