/** The plain-text summary printed at the end of a run, rendered from the results JSON alone. */
import type { CpuShares } from './cpu';
import { FLASK_REFERENCE, NOISE_LIMIT_PERCENT, TARGETS, type BenchResults } from './results';

type Cell = string | number;

function formatNumber(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const rate = (value: number): string => formatNumber(value, value < 100 ? 1 : 0);
const ms = (value: number): string => formatNumber(value, value < 10 ? 2 : 1);

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map(String));
  const widths = headers.map((header, column) => Math.max(header.length, ...text.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...text.map(line)].join('\n');
}

/** `noise` is what neither the named processes nor interrupts used: other processes plus hypervisor steal. */
function cpuText(cpu: CpuShares | undefined, names: string[]): string {
  if (!cpu) return '';
  return names
    .map((name) => (name === 'noise' && cpu.other !== undefined ? cpu.other + (cpu.steal ?? 0) : cpu[name]))
    .map((value) => (value === undefined || Number.isNaN(value) ? '—' : String(value)))
    .join(' / ');
}

interface HttpFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const SERVICE_CPU = ['bench', 'service', 'dynamodb', 'irq', 'noise'];
const REPLAYED_CPU = ['bench', 'service', 'replaying', 'irq', 'noise'];

export function renderSummary(results: BenchResults, stampedFile: string): string {
  const { machine, parameters: p, service, ceilings, adapters, ratios, cpuMsPerOperation: cost } = results;
  const conns = p.connections;
  const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
  const httpRow = (name: string, r: HttpFigures, connections: number, cpu: string, note = ''): Cell[] => [
    name,
    connections,
    rate(r.requestsPerSecond),
    ms(r.p50Ms),
    ms(r.p99Ms),
    r.non2xx,
    r.errors + r.timeouts,
    cpu,
    note,
  ];
  const argon = `m=${p.argon2.memoryKiB} KiB, t=${p.argon2.timeCost}, p=${p.argon2.parallelism}`;
  const alt = service.alternative;
  const altRows: Cell[][] = alt
    ? [
        httpRow(
          `POST /api/login, hash concurrency ${alt.passwordHashConcurrency}`,
          alt.login,
          conns.login,
          cpuText(alt.login.cpu, SERVICE_CPU),
          'alternative',
        ),
        httpRow(
          `GET /api/health, burst, hash concurrency ${alt.passwordHashConcurrency}`,
          alt.loginBurst.health,
          conns.healthDuringBurst,
          cpuText(alt.loginBurst.cpu, SERVICE_CPU),
          'alternative',
        ),
        httpRow(`POST /api/login, burst, hash concurrency ${alt.passwordHashConcurrency}`, alt.loginBurst.login, conns.loginBurst, '', 'alternative'),
      ]
    : [];
  const altRatios: Cell[][] = alt
    ? [
        [
          `login req/s, hash concurrency ${alt.passwordHashConcurrency} / ${p.argon2.serviceConcurrency}`,
          formatNumber(ratios.alternativeLoginOverLogin, 2),
          '',
          '',
        ],
        [
          `health p99 during burst, hash concurrency ${alt.passwordHashConcurrency}`,
          `${ms(alt.loginBurst.health.p99Ms)} ms`,
          `< ${TARGETS.healthP99DuringBurstMs} ms`,
          verdict(alt.loginBurst.health.p99Ms < TARGETS.healthP99DuringBurstMs),
        ],
      ]
    : [];
  const [healthTarget, healthOverBareTarget, loggingTarget, listTarget, burstTarget] = results.targets;

  return [
    '',
    `panzoto-backend bench, ${results.startedAt} (${results.elapsedSeconds} s)`,
    `machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.totalMemoryGiB} GiB, ${machine.os}, node ${machine.node}`,
    `load average at start / end: ${machine.loadAverageAtStart.join(' ')} / ${machine.loadAverageAtEnd.join(' ')}`,
    '',
    `Service: ${p.service.command}, NODE_ENV=${p.service.NODE_ENV}, LOG_LEVEL=${p.service.LOG_LEVEL} (logs to a file), ` +
      `Argon2id ${argon}, PASSWORD_HASH_CONCURRENCY=${p.argon2.serviceConcurrency}`,
    table(
      ['run', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'CPU % bench/svc/ddb/irq/noise', 'note'],
      [
        httpRow('GET /api/health', service.health, conns.health, cpuText(service.health.cpu, SERVICE_CPU), `median of ${p.rounds}`),
        httpRow(
          'GET /api/health, no request logs',
          service.healthUnlogged,
          conns.health,
          cpuText(service.healthUnlogged.cpu, SERVICE_CPU),
          'LOG_LEVEL=warn',
        ),
        httpRow(
          'GET /api/health, bare Nest on Fastify',
          adapters.fastifyBesideHealth,
          conns.health,
          cpuText(adapters.fastifyBesideHealth.cpu, ['bench', 'fastify', 'dynamodb', 'irq', 'noise']),
          'same JSON, same rounds',
        ),
        httpRow(`GET ${p.listPath}`, service.list, conns.list, cpuText(service.list.cpu, SERVICE_CPU), `median of ${p.rounds}`),
        httpRow(
          `GET ${p.listPath}, Query answers replayed`,
          service.listReplayed.list,
          conns.list,
          cpuText(service.listReplayed.list.cpu, REPLAYED_CPU),
          'ddb = the replaying endpoint',
        ),
        httpRow(
          `the same Query from a bare Nest-on-Fastify route, replayed`,
          service.listReplayed.bareList,
          conns.list,
          cpuText(service.listReplayed.bareList.cpu, ['bench', 'fastify', 'replaying', 'irq', 'noise']),
          'svc = the bare app, ddb = the replaying endpoint',
        ),
        httpRow('POST /api/login', service.login, conns.login, cpuText(service.login.cpu, SERVICE_CPU)),
        httpRow(
          'GET /api/health, alone',
          service.healthAlone2Connections,
          conns.healthDuringBurst,
          cpuText(service.healthAlone2Connections.cpu, SERVICE_CPU),
        ),
        httpRow(
          'GET /api/health, during login burst',
          service.loginBurst.health,
          conns.healthDuringBurst,
          cpuText(service.loginBurst.cpu, SERVICE_CPU),
          'side by side',
        ),
        httpRow('POST /api/login, the burst', service.loginBurst.login, conns.loginBurst, '', 'with the line above'),
        ...altRows,
      ],
    ),
    '',
    'Ceilings, same run (no HTTP, no Nest)',
    table(
      ['run', 'in flight', 'calls/s', 'p50 ms', 'p99 ms', 'errors', 'CPU % bench/svc/ddb/irq/noise', 'note'],
      [
        [
          `raw QueryCommand, user-files-index, Limit ${p.rawQueryLimit}`,
          conns.rawQuery,
          rate(ceilings.rawQuery.perSecond),
          ms(ceilings.rawQuery.p50Ms),
          ms(ceilings.rawQuery.p99Ms),
          ceilings.rawQuery.errors,
          cpuText(ceilings.rawQuery.cpu, SERVICE_CPU),
          `median of ${p.rounds}`,
        ],
        [
          'raw QueryCommand, the same, answers replayed',
          conns.rawQuery,
          rate(service.listReplayed.rawQuery.perSecond),
          ms(service.listReplayed.rawQuery.p50Ms),
          ms(service.listReplayed.rawQuery.p99Ms),
          service.listReplayed.rawQuery.errors,
          cpuText(service.listReplayed.rawQuery.cpu, REPLAYED_CPU),
          'ddb = the replaying endpoint',
        ],
        [
          `argon2.verify, ${argon}`,
          conns.rawVerify,
          rate(ceilings.rawVerify.perSecond),
          ms(ceilings.rawVerify.p50Ms),
          ms(ceilings.rawVerify.p99Ms),
          ceilings.rawVerify.errors,
          cpuText(ceilings.rawVerify.cpu, SERVICE_CPU),
          '',
        ],
        [
          'argon2.verify, one at a time',
          1,
          rate(ceilings.serialVerify.perSecond),
          ms(ceilings.serialVerify.p50Ms),
          ms(ceilings.serialVerify.p99Ms),
          ceilings.serialVerify.errors,
          '',
          `${ms(ceilings.serialVerify.msPerHash)} ms per hash`,
        ],
      ],
    ),
    '',
    'HTTP adapter: bare Nest app, GET one small JSON',
    table(
      ['adapter', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'CPU % bench/app/irq/noise', 'note'],
      [
        httpRow(
          'Fastify',
          adapters.fastify,
          conns.adapters,
          cpuText(adapters.fastify.cpu, ['bench', 'fastify', 'irq', 'noise']),
          `median of ${p.rounds}`,
        ),
        httpRow(
          'Express',
          adapters.express,
          conns.adapters,
          cpuText(adapters.express.cpu, ['bench', 'express', 'irq', 'noise']),
          `median of ${p.rounds}`,
        ),
      ],
    ),
    '',
    'Ratios and targets',
    table(
      ['figure', 'value', 'target', 'verdict'],
      [
        ['health req/s', formatNumber(healthTarget.value), `>= ${formatNumber(TARGETS.healthRequestsPerSecond)}`, verdict(healthTarget.met)],
        [
          'health req/s / bare Nest-on-Fastify req/s',
          formatNumber(healthOverBareTarget.value, 2),
          `>= ${TARGETS.healthOverBareFastify}`,
          verdict(healthOverBareTarget.met),
        ],
        [
          `request logs: share of health CPU per request (${formatNumber(service.requestLogCost.costUs, 2)} µs a line)`,
          `${formatNumber(loggingTarget.value * 100, 1)} %`,
          `< ${TARGETS.loggingShareOfHealthCpu * 100} %`,
          verdict(loggingTarget.met),
        ],
        [
          'the same, logged vs unlogged service processes',
          `${formatNumber(ratios.loggingShareBetweenProcesses * 100, 1)} %`,
          `rounds ${ratios.loggingShareBetweenProcessesPerRound.map((share) => formatNumber(share * 100, 0)).join(' / ')} %`,
          '',
        ],
        ['list req/s / raw Query calls/s', formatNumber(listTarget.value, 2), `>= ${TARGETS.listOverRawQuery}`, verdict(listTarget.met)],
        [
          "the same, DynamoDB Local's Query answers replayed",
          formatNumber(service.listReplayed.listOverRawQuery, 2),
          `rounds ${service.listReplayed.listOverRawQueryPerRound.map((ratio) => formatNumber(ratio, 2)).join(' / ')}`,
          '',
        ],
        [
          'bare Nest-on-Fastify route making the same Query / raw Query, replayed',
          formatNumber(service.listReplayed.bareListOverRawQuery, 2),
          `rounds ${service.listReplayed.bareListOverRawQueryPerRound.map((ratio) => formatNumber(ratio, 2)).join(' / ')}`,
          '',
        ],
        ['health p99 during login burst', `${ms(burstTarget.value)} ms`, `< ${TARGETS.healthP99DuringBurstMs} ms`, verdict(burstTarget.met)],
        [`login req/s / raw verify/s (${conns.rawVerify} in flight)`, formatNumber(ratios.loginOverRawVerify, 2), 'Argon2-bound', ''],
        ['login req/s / one-at-a-time verify/s', formatNumber(ratios.loginOverSerialVerify, 2), '~1 with concurrency 1', ''],
        ...altRatios,
        ['Fastify req/s / Express req/s', `${formatNumber(ratios.fastifyOverExpress, 2)}×`, '', ''],
        ['CPU ms per list request: svc / ddb / bench', cpuText(cost.listRequest, ['service', 'dynamodb', 'bench']), '', ''],
        ['CPU ms per raw Query: bench / ddb', cpuText(cost.rawQuery, ['bench', 'dynamodb']), '', ''],
        ['CPU ms per list request, answers replayed: svc / bench', cpuText(cost.listRequestReplayed, ['service', 'bench']), '', ''],
        ['CPU ms per bare list route request, answers replayed: app', cpuText(cost.bareListRequestReplayed, ['fastify']), '', ''],
        ['CPU ms per raw Query, answers replayed: bench', cpuText(cost.rawQueryReplayed, ['bench']), '', ''],
        ['CPU ms per health request: svc / bench', cpuText(cost.healthRequest, ['service', 'bench']), '', ''],
        ['CPU ms per health request, no request logs: svc', cpuText(cost.unloggedHealthRequest, ['service']), '', ''],
        ['CPU ms per bare Fastify health request: app', cpuText(cost.bareHealthRequest, ['fastify']), '', ''],
        [
          `health vs Flask (~${formatNumber(FLASK_REFERENCE.healthRequestsPerSecond)} req/s)`,
          `${formatNumber(service.health.requestsPerSecond / FLASK_REFERENCE.healthRequestsPerSecond, 1)}×`,
          '',
          '',
        ],
        [
          `list vs Flask (~${FLASK_REFERENCE.listRequestsPerSecond} req/s, p99 ${FLASK_REFERENCE.listP99Ms} ms)`,
          `${formatNumber(service.list.requestsPerSecond / FLASK_REFERENCE.listRequestsPerSecond, 1)}×`,
          '',
          '',
        ],
        [
          `login vs Flask (~${FLASK_REFERENCE.loginRequestsPerSecond} req/s)`,
          `${formatNumber(service.login.requestsPerSecond / FLASK_REFERENCE.loginRequestsPerSecond, 1)}×`,
          '',
          '',
        ],
      ],
    ),
    '',
    results.ok
      ? 'Every request answered 2xx; no raw call failed.'
      : `FAILURES: ${results.failedRuns.join(', ')} had non-2xx answers or errors (see the JSON).`,
    results.disturbedRuns.length === 0
      ? `No run was disturbed (neighbours used at most ${NOISE_LIMIT_PERCENT} % of a core in each).`
      : `DISTURBED: neighbours used more than ${NOISE_LIMIT_PERCENT} % of a core during ${results.disturbedRuns.join(', ')}; ` +
        'their figures are low and noisy (see the noise column).',
    `Figures: ${stampedFile} and bench/results/latest.json; service log: ${results.serviceLog.file} (${formatNumber(results.serviceLog.lines)} lines).`,
    '',
  ].join('\n');
}

export { formatNumber };
