// Current ClickHouse for tests: no current clickhouse-server is installable here (Debian
// ships 18.16), but chDB (npm `chdb`) embeds the current ClickHouse engine. This script
// serves that engine over the part of ClickHouse's HTTP interface the official client
// uses: GET /ping; POST / with the query in the body, or in `?query=` with the data as the
// body (INSERT … FORMAT RowBinary, run as INSERT … FROM INFILE); `?database=`; any other
// parameter is a setting (SET); errors as ClickHouse answers them ("Code: N. DB::Exception").
// The SQL, the table engines, RowBinary parsing and the output formats are the real engine's.
//   node src/test-support/chdb/server.mjs DATA_DIR [PORT]  → prints `listening PORT`
// Plain JavaScript: it runs as its own process (the tests block on `violet` children).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Client-side parameters, not settings. */
const NOT_SETTINGS = new Set([
  'query',
  'query_id',
  'database',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'default_format',
  'role',
]);

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

function settingValue(v) {
  return /^-?\d+(\.\d+)?$/.test(v) ? v : `'${v.replaceAll("'", "\\'")}'`;
}

/** The default output format of a query without a FORMAT clause, as over HTTP. */
const DEFAULT_FORMAT = 'TabSeparated';

async function serve(dataDir, port) {
  const { Session } = await import('chdb');
  const session = new Session(dataDir);
  const spool = mkdtempSync(join(tmpdir(), 'violet-chdb-http-'));
  let uploads = 0;
  const run = (url, sql, data) => {
    const db = url.searchParams.get('database');
    session.query(`USE ${db ?? 'default'}`);
    for (const [k, v] of url.searchParams) {
      if (!NOT_SETTINGS.has(k)) session.query(`SET ${k} = ${settingValue(v)}`);
    }
    if (data === null) return session.query(sql, DEFAULT_FORMAT);
    const file = join(spool, `upload-${++uploads}.bin`);
    writeFileSync(file, data);
    const m = /^([\s\S]*?)\s+FORMAT\s+(\w+)\s*$/i.exec(sql.trim());
    if (m === null) throw new Error('Code: 62. DB::Exception: INSERT without a FORMAT clause');
    const out = session.query(`${m[1]} FROM INFILE '${file}' FORMAT ${m[2]}`, DEFAULT_FORMAT);
    // Kept when the engine refused it (the error names it): what arrived can be inspected.
    rmSync(file, { force: true });
    return out;
  };
  const answer = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/ping') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('Ok.\n');
    }
    const data = await body(req);
    const inUrl = url.searchParams.get('query');
    const sql = inUrl ?? data.toString('utf8');
    // What arrived, for an error's message: a body cut short shows here.
    const length = req.headers['content-length'];
    const received = `${data.length} bytes received (${length === undefined ? req.headers['transfer-encoding'] : `content-length ${length}`})`;
    if (length !== undefined && Number(length) !== data.length) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=UTF-8' });
      return res.end(`Code: 1000. DB::Exception: request body cut short: ${received}\n`);
    }
    try {
      const out = run(url, sql, inUrl === null ? null : data);
      res.writeHead(200, {
        'content-type': 'text/plain; charset=UTF-8',
        'x-clickhouse-summary': '{"read_rows":"0","read_bytes":"0","written_rows":"0"}',
      });
      res.end(out);
    } catch (e) {
      const upload = inUrl === null ? '' : ` [${received}, kept in ${spool}]`;
      // On the first line, the one a client's error shows.
      const message = e.message.replace(/^Query failed: /, '').replace(/\n|$/, `${upload}\n`);
      process.stderr.write(message);
      const code = /Code: (\d+)/.exec(message)?.[1] ?? '1000';
      res.writeHead(500, {
        'content-type': 'text/plain; charset=UTF-8',
        'x-clickhouse-exception-code': code,
      });
      res.end(message);
    }
  };
  const server = createServer((req, res) => {
    // One request per connection: no idle keep-alive socket for a client to race.
    res.setHeader('connection', 'close');
    answer(req, res).catch((e) => {
      res.writeHead(500);
      res.end(`Code: 1000. DB::Exception: ${e.message}\n`);
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close() {
      server.close();
      session.close?.();
      if (readdirSync(spool).length === 0) rmSync(spool, { recursive: true, force: true });
    },
  };
}

const [dir, port] = process.argv.slice(2);
if (dir === undefined) {
  process.stderr.write('usage: node server.mjs DATA_DIR [PORT]\n');
  process.exit(2);
}
const served = await serve(dir, Number(port ?? 0));
process.stdout.write(`listening ${served.port}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    served.close();
    process.exit(0);
  });
}
