// One screen line: never wrapped (a wrapped line would push the panels below the bottom).
import { Text } from 'ink';
import type { ReactNode } from 'react';

export function Line({
  children,
  ...style
}: {
  children?: ReactNode;
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
}) {
  return (
    <Text wrap="truncate-end" {...style}>
      {children ?? ' '}
    </Text>
  );
}
