/**
 * Compatibility shim: the bias calculator moved to src/bias (issue 17). mergeCommand.ts
 * imports `oneLine` from here; re-pointing that import (to src/bias/spec.ts or a shared
 * CLI helper) and deleting this file is left to the CLI refactor.
 */
export { oneLine } from '../../bias/spec.ts';
