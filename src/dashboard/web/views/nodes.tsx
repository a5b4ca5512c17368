import type { ViewProps } from '../app.tsx';
import { Empty } from './common.tsx';

export function NodesView(_: ViewProps) {
  return <Empty>Coming soon.</Empty>;
}
