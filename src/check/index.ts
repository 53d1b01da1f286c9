/**
 * Real-server health checking: every keepalived checker (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, SMTP_CHECK,
 * DNS_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK), scheduled per checker,
 * with each real server's verdict kept and its changes reported.
 */
export { CheckerThread, type RealServerChecks } from './checker-thread.js';
export {
  HealthChecker,
  type HealthListener,
  type HealthPorts,
  type RealServerHealth,
  type RealServerTarget,
} from './health-checker.js';
