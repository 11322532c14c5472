// What the charts promise about their collector configurations beyond what the collector itself
// checks (`otelcol validate`, see otelcol.ts): canonical component names, the memory limiter first,
// no broken templating, no inline secrets.

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeOf = (id: string): string => id.split('/')[0];

export interface PolicyOptions {
  /** Component types by section (`receivers` → types), canonical names only: the collector's own list. */
  known: Map<string, Set<string>>;
  /** A user's own config may use deprecated aliases (the collector accepts them, with a warning). */
  allowDeprecatedAliases?: boolean;
}

/** Errors against the chart's policies; assumes the collector already accepted the config. */
export function chartPolicyErrors(config: Obj, opts: PolicyOptions): string[] {
  const errors: string[] = [];
  if (!opts.allowDeprecatedAliases)
    for (const [section, types] of opts.known)
      for (const id of Object.keys(config[section] ?? {}))
        if (!types.has(typeOf(id)))
          errors.push(
            `${section}.${id}: "${typeOf(id)}" is not a canonical ${section.slice(0, -1)} type of this collector (a deprecated alias, or a component it lacks)`,
          );
  const limiter = Object.keys(config.processors ?? {}).some((id) => typeOf(id) === 'memory_limiter');
  for (const [name, p] of Object.entries<Obj>(config.service?.pipelines ?? {})) {
    // A pipeline fed only by connectors gets data that already passed an upstream limiter.
    const external = (p.receivers ?? []).some((id: string) => !(id in (config.connectors ?? {})));
    const at = (p.processors ?? []).findIndex((id: string) => typeOf(id) === 'memory_limiter');
    if (limiter && external && at !== 0)
      errors.push(`service.pipelines.${name}: memory_limiter must be the first processor${at > 0 ? `, found at position ${at + 1}` : ''}`);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// String checks: broken templating and inline secrets.

const SECRET_KEYS = new Set(['token', 'password', 'api_key', 'apikey', 'secret', 'client_secret', 'bearer_token', 'authorization', 'x_api_key']);
// A whole value that only references a secret: ${env:NAME}, ${file:/path}, optionally after an
// auth scheme ("Bearer ${env:TOKEN}").
const SECRET_REF = /^((Bearer|Basic) )?\$\{(env:[A-Za-z_][A-Za-z0-9_]*|file:[^}]+)\}$/;

/** Reports strings that show broken templating, and secrets written inline instead of referenced. */
export function validateConfigStrings(config: unknown): string[] {
  const errors: string[] = [];
  const visit = (v: unknown, where: string, key: string | undefined): void => {
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${where}[${i}]`, key));
    else if (isObj(v))
      for (const [k, x] of Object.entries(v)) {
        const p = where ? `${where}.${k}` : k;
        checkTemplating(k, p, errors);
        visit(x, p, k);
      }
    else {
      if (typeof v === 'string') checkTemplating(v, where, errors);
      const isSecretKey = key !== undefined && SECRET_KEYS.has(key.toLowerCase().replace(/-/g, '_'));
      if (isSecretKey && (typeof v === 'string' || typeof v === 'number') && v !== '' && !SECRET_REF.test(String(v)))
        errors.push(`${where}: inline secret; reference it as \${env:NAME} or \${file:/path} instead`);
    }
  };
  visit(config, '', undefined);
  return errors;
}

function checkTemplating(s: string, where: string, errors: string[]): void {
  for (const bad of ['{{', '<nil>', '%!']) if (s.includes(bad)) errors.push(`${where || '<root>'}: "${s}" contains "${bad}" (broken templating)`);
}
