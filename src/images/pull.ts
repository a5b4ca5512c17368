// Pulling from an OCI distribution registry (placeholder until the client lands).
import type { ImageSource } from './oci.ts';
import type { PullOptions } from './types.ts';

export interface FetchContext extends PullOptions {
  dir: string;
  have(id: string): boolean;
}

export async function fetchImage(_name: string, _o: FetchContext): Promise<ImageSource> {
  throw new Error('registry pulls are not supported yet');
}
