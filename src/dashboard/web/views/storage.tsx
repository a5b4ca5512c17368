import type { ViewProps } from '../app.tsx';
import { Empty } from './common.tsx';

export function StorageView(_: ViewProps) {
  return <Empty>Coming soon.</Empty>;
}
