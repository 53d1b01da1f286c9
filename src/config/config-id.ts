/**
 * The config id keepalived 2.2.7 uses when `--config-id` is not given: the node name (uname)
 * up to its first dot, so `lb1.example.net` selects `@lb1` lines.
 */
export function defaultConfigId(nodeName: string): string {
  return nodeName.split('.')[0]!;
}
