/**
 * Real-server health checking: keepalived's TCP_CHECK and MISC_CHECK, scheduled per checker,
 * with each real server's verdict kept and its changes reported.
 */
export {
  HealthChecker,
  isRunnable,
  RUNNABLE_CHECKERS,
  type HealthListener,
  type HealthPorts,
  type RealServerHealth,
  type RealServerTarget,
  type RunnableChecker,
} from './health-checker.js';
export { probeMisc, type MiscRunOptions } from './misc.js';
export { probeTcp, type TcpTarget } from './tcp.js';
export { afterCheck, initialCheckerState, type CheckerState, type CheckOutcome, type VerdictTiming } from './verdict.js';
