// A mistake the user can fix: printed as one line, exit code 2 (never a stack trace).
export class UsageError extends Error {}

/** A check that ran and found a problem: exit code 1. */
export class CheckFailed extends Error {}
