/** One metric family as parse-prometheus-text-format reads it (prom2json's shape). */
export interface Family {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}

// The package ships no types: this is its one function, typed here. It throws on a line that is
// not Prometheus text, which is what the tests rely on. (It folds the series of a labelled
// histogram into one, so histograms are checked through their family and the counters.)
const parsePrometheusText = require('parse-prometheus-text-format') as (text: string) => Family[];

/** Parses Prometheus text with a real parser, failing the test on text that is not. */
export function parseMetrics(text: string): Family[] {
  return parsePrometheusText(text);
}

/**
 * The value of the one series of `name` whose labels include `labels`; 0 when there is none yet
 * (a counter not yet incremented has no series). Throws if the family is missing or several match.
 */
export function sample(families: readonly Family[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (family === undefined) throw new Error(`no metric family ${name} in the scrape (families: ${families.map((f) => f.name).join(', ')})`);
  const matching = family.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (matching.length > 1) throw new Error(`${matching.length} series of ${name} match ${JSON.stringify(labels)}; name more labels`);
  return matching.length === 0 ? 0 : Number(matching[0].value);
}
