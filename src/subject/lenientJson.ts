/** Marker objects standing in for the non-JSON tokens NaN, Infinity, -Infinity. */
const TOKEN = /(?<=[[,:]\s*)(-?Infinity|NaN)(?=\s*[\],}])/g;

/**
 * JSON.parse that also accepts the bare tokens NaN, Infinity and -Infinity (which
 * Python's json.dumps writes by default), turning them into the numbers they name, so
 * the verdict can say "non-finite value NaN at result.xt[0][1]" instead of
 * "garbage line". Throws SyntaxError on anything else that is not JSON.
 */
export function parseLenientJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (e) {
    if (!/NaN|Infinity/.test(line)) throw e;
    const marked = line.replace(TOKEN, (tok) => `{"__nonfinite__":"${tok}"}`);
    return JSON.parse(marked, (_k, v) => {
      if (v !== null && typeof v === 'object' && typeof (v as Record<string, unknown>).__nonfinite__ === 'string') {
        const tok = (v as Record<string, string>).__nonfinite__;
        return tok === 'NaN' ? NaN : tok === 'Infinity' ? Infinity : -Infinity;
      }
      return v;
    });
  }
}
