/**
 * A small Prometheus registry (text exposition format 0.0.4) that any module can add to:
 * `metrics.counter(...)`, `metrics.gauge(...)`, `metrics.histogram(...)`. Asking twice for
 * the same name returns the same metric, so modules and tests may create apps repeatedly.
 */
export type Labels = Record<string, string | number>;

export interface Counter {
  inc(labels?: Labels, value?: number): void;
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
}
export interface Histogram {
  observe(value: number, labels?: Labels): void;
  /** starts a timer; calling the result observes the elapsed seconds */
  startTimer(labels?: Labels): () => number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelKey(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${escapeLabel(String(labels[k]))}"`).join(',');
}

const braces = (key: string) => (key === '' ? '' : `{${key}}`);

interface Metric {
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  render(name: string): string[];
}

class ValueMetric implements Metric, Counter, Gauge {
  readonly values = new Map<string, number>();
  constructor(
    readonly type: 'counter' | 'gauge',
    readonly help: string,
  ) {}
  inc(labels?: Labels, value = 1): void {
    if (this.type === 'counter' && value < 0) throw new Error('a counter only goes up');
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + value);
  }
  dec(labels?: Labels, value = 1): void {
    this.inc(labels, -value);
  }
  set(value: number, labels?: Labels): void {
    this.values.set(labelKey(labels), value);
  }
  render(name: string): string[] {
    return [...this.values].map(([key, v]) => `${name}${braces(key)} ${v}`);
  }
}

class HistogramMetric implements Metric, Histogram {
  readonly type = 'histogram';
  readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}
  observe(value: number, labels?: Labels): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count += 1;
  }
  startTimer(labels?: Labels): () => number {
    const start = performance.now();
    return () => {
      const seconds = (performance.now() - start) / 1000;
      this.observe(seconds, labels);
      return seconds;
    };
  }
  render(name: string): string[] {
    const lines: string[] = [];
    for (const [key, s] of this.series) {
      const sep = key === '' ? '' : `${key},`;
      this.buckets.forEach((b, i) => {
        lines.push(`${name}_bucket{${sep}le="${b}"} ${s.counts[i]}`);
      });
      lines.push(`${name}_bucket{${sep}le="+Inf"} ${s.count}`);
      lines.push(`${name}_sum${braces(key)} ${s.sum}`);
      lines.push(`${name}_count${braces(key)} ${s.count}`);
    }
    return lines;
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  #get<M extends Metric>(name: string, type: Metric['type'], make: () => M): M {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    const existing = this.#metrics.get(name);
    if (existing !== undefined) {
      if (existing.type !== type) throw new Error(`metric ${name} is already a ${existing.type}`);
      return existing as M;
    }
    const metric = make();
    this.#metrics.set(name, metric);
    return metric;
  }

  counter(name: string, help: string): Counter {
    return this.#get(name, 'counter', () => new ValueMetric('counter', help));
  }
  gauge(name: string, help: string): Gauge {
    return this.#get(name, 'gauge', () => new ValueMetric('gauge', help));
  }
  histogram(name: string, help: string, buckets: readonly number[] = DEFAULT_BUCKETS): Histogram {
    return this.#get(
      name,
      'histogram',
      () =>
        new HistogramMetric(
          help,
          [...buckets].sort((a, b) => a - b),
        ),
    );
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const lines: string[] = [];
    for (const [name, m] of this.#metrics) {
      lines.push(
        `# HELP ${name} ${m.help.replace(/\n/g, ' ')}`,
        `# TYPE ${name} ${m.type}`,
        ...m.render(name),
      );
    }
    return `${lines.join('\n')}\n`;
  }
}

/** The process-wide registry served at /metrics. */
export const metrics = new MetricsRegistry();
