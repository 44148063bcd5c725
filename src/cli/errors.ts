// The CLI's error vocabulary lives in common/ so runtimes can refuse a run the same way.
export { CheckFailed, UsageError } from '../common/errors.js';
