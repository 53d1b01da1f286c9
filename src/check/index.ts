/**
 * Real-server health checking: keepalived's TCP_CHECK, HTTP_GET, SSL_GET and MISC_CHECK, scheduled per checker,
 * with each real server's verdict kept and its changes reported.
 */
export {
  HealthChecker,
  type HealthListener,
  type HealthPorts,
  type RealServerHealth,
  type RealServerTarget,
} from './health-checker.js';
