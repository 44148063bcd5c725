// The `violet` command: one program, subcommands registered by their modules.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { exitLine, parseLogFormat, setProcessLogFormat } from '../common/log.js';
import { registerBacktest } from './backtest.js';
import { registerDistrack } from './distrack.js';
import { registerDrift } from './drift.js';
import { CheckFailed, UsageError } from './errors.js';
import { registerGen } from './gen.js';
import { registerJournal } from './journal.js';
import { registerKernel } from './kernel.js';
import { registerLive } from './live.js';
import { checkPaths } from './paths.js';
import { registerPlanes } from './planes.js';
import { registerPublish } from './publish.js';
import { registerScan } from './scan.js';
import { registerShadow } from './shadow.js';
import { registerStart } from './start.js';
import { registerStatus } from './status.js';
import { registerStudy } from './study.js';
import { registerVenue } from './venue.js';
import { registerVerify } from './verify.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

// A bad option is one line (commander's own) and exit 2, not the whole usage after it.
const program = new Command('violet')
  .description('VIOLET — shadow alpha decision engine and research studies')
  .version(version, '-V, --version', 'print the version')
  .exitOverride()
  .hook('preAction', (_program, action) => {
    // A command with structured logs reports even a refusal of its paths in its format.
    if (action.options.some((opt) => opt.long === '--log-format')) {
      const format = parseLogFormat(action.opts().logFormat ?? process.env.VIOLET_LOG_FORMAT);
      if (format !== null) setProcessLogFormat(format);
    }
    checkPaths(action.opts());
  });

registerKernel(program);
registerDrift(program);
registerGen(program);
registerScan(program);
registerShadow(program);
registerPublish(program);
registerPlanes(program);
registerStatus(program);
registerBacktest(program);
registerLive(program);
registerVenue(program);
registerVerify(program);
registerJournal(program);
registerStudy(program);
registerStart(program);
registerDistrack(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof UsageError) {
    process.stderr.write(exitLine(e.message, 2));
    process.exitCode = 2;
  } else if (e instanceof CheckFailed) {
    process.stderr.write(exitLine(e.message, 1));
    process.exitCode = 1;
  } else {
    throw e;
  }
}
