// Errors the user can fix (exit 2) and checks that found a problem (exit 1); the CLI
// prints either as one line. Anything else is a bug and keeps its stack.
export class UsageError extends Error {}

export class CheckFailed extends Error {}
