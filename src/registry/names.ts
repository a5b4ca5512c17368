// Names the server makes up: generateName suffixes and UIDs (k8s.io/apiserver/pkg/storage/names).
import { randomInt, randomUUID } from 'node:crypto';

// Upstream's alphabet leaves out vowels and look-alike characters so names never spell words.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_NAME_LENGTH = 63 - 5;

export function generateName(base: string): string {
  const prefix = base.length > MAX_GENERATED_NAME_LENGTH ? base.slice(0, MAX_GENERATED_NAME_LENGTH) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return prefix + suffix;
}

export function newUid(): string {
  return randomUUID();
}
