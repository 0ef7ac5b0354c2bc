// Calls methods of the official HubSpot Node SDK (@hubspot/api-client, pinned in package.json) in order, against
// live mocks, and reports what each handed back and what came over the wire. Used by tests/test_node_sdk_surface.py.
// Input on stdin: {"calls": [{"id", "baseUrl", "method": "marketing.events.basicApi.create", "auth": {"accessToken"}
// or {"developerApiKey"}, "args": {parameterName: value}}]}. In args, {"$date": "<ISO>"} is a Date (the SDK
// serializes only Dates as date-times) and a string "${<id>.<field>...}" is that field of an earlier call's result.
// Output: ONE JSON line {"sdkVersion", "methods": ["basicApi.create", ...every method of client.marketing.events],
// "results": [{id, ok, status, model, data, error, errorBody, wire: [{status, contentType, correlationId}]}]}.
import { readFileSync } from 'node:fs';
import { Client } from '@hubspot/api-client';

const { calls } = JSON.parse(readFileSync(0, 'utf8'));
const sdkVersion = JSON.parse(
  readFileSync(new URL('./node_modules/@hubspot/api-client/package.json', import.meta.url)),
).version;

// Every method of every API object under client.marketing.events, by introspection of the generated classes.
function marketingEventsMethods() {
  const events = new Client({ accessToken: 'introspection' }).marketing.events;
  return Object.entries(events)
    .filter(([name, api]) => name.endsWith('Api') && api && typeof api === 'object')
    .flatMap(([name, api]) => Object.getOwnPropertyNames(Object.getPrototypeOf(api))
      .filter((m) => m.endsWith('WithHttpInfo'))
      .map((m) => `${name}.${m.slice(0, -'WithHttpInfo'.length)}`));
}

const done = {}; // id -> the result's data, as JSON, for later references
function resolve(value) {
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object') {
    if ('$date' in value) return new Date(value.$date);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  }
  const reference = typeof value === 'string' && value.match(/^\$\{([^.}]+)\.([^}]+)\}$/);
  if (!reference) return value;
  let found = done[reference[1]];
  for (const part of reference[2].split('.')) found = found?.[part];
  if (found === undefined) throw new Error(`unresolved reference ${value}`);
  return found;
}

async function run({ id, baseUrl, method: dotted, auth, args = {} }) {
  const parts = dotted.split('.');
  const method = parts.pop();
  let api = new Client({ ...auth, basePath: baseUrl, numberOfApiCallRetries: 0 });
  for (const part of parts) api = api[part];
  const generated = Object.getPrototypeOf(api)[`${method}WithHttpInfo`];
  if (typeof generated !== 'function') throw new Error(`no method ${dotted}WithHttpInfo in the SDK`);
  // The parameter names of the generated method, e.g. `createWithHttpInfo(marketingEventCreateRequestParams, _options)`.
  const params = generated.toString().match(/^[^(]*\(([^)]*)\)/)[1].split(',').map((p) => p.trim());
  const wire = [];
  const options = {
    middlewareMergeStrategy: 'replace',
    middleware: [{
      pre: async (ctx) => ctx,
      post: async (ctx) => (wire.push({
        status: ctx.httpStatusCode,
        contentType: ctx.headers['content-type'] ?? null,
        correlationId: ctx.headers['x-hubspot-correlation-id'] ?? null,
      }), ctx),
    }],
  };
  let values;
  try {
    values = params.map((name) => (name === '_options' ? options : resolve(args[name])));
  } catch (e) {
    return { id, ok: false, status: null, model: null, data: null, error: { name: 'PlanError', message: e.message }, errorBody: null, wire };
  }
  try {
    // `api.method(...)` is `api.methodWithHttpInfo(...)` minus the status: same request, same response processor.
    const info = await api[`${method}WithHttpInfo`](...values);
    const data = info.data === undefined ? null : JSON.parse(JSON.stringify(info.data));
    done[id] = data;
    const model = info.data && typeof info.data === 'object' ? info.data.constructor.name : null;
    return { id, ok: true, status: info.httpStatusCode, model, data, error: null, errorBody: null, wire };
  } catch (e) {
    const code = typeof e?.code === 'number' ? e.code : null;
    return { id, ok: false, status: code, model: null, data: null,
             error: { name: e?.constructor?.name ?? 'Error', message: String(e?.message ?? e) }, errorBody: e?.body ?? null, wire };
  }
}

const results = [];
for (const call of calls) results.push(await run(call)); // in order: later calls read what earlier ones wrote
process.stdout.write(JSON.stringify({ sdkVersion, methods: marketingEventsMethods(), results }) + '\n');
