import type { ViewProps } from '../app.tsx';
import { Empty } from './common.tsx';

export function EventsView(_: ViewProps) {
  return <Empty>Coming soon.</Empty>;
}
