import type { ViewProps } from '../app.tsx';
import { Empty } from './common.tsx';

export function ServicesView(_: ViewProps) {
  return <Empty>Coming soon.</Empty>;
}
