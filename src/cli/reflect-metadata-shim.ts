// Minimal `Reflect` metadata API for tsyringe, which @peculiar/x509 uses internally and which
// refuses to load without a polyfill. x509's injectable classes take no constructor parameters, so
// a per-target key/value map covers every call tsyringe makes (getMetadata, getOwnMetadata,
// defineMetadata). Installs nothing when a real polyfill (reflect-metadata) is already present.
type MetadataReflect = typeof Reflect & {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
  metadata?: (key: unknown, value: unknown) => (target: object) => void;
};

const r = Reflect as MetadataReflect;
if (typeof r.getMetadata !== 'function') {
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const own = (key: unknown, target: object) => store.get(target)?.get(key);
  const define = (key: unknown, value: unknown, target: object) => {
    let m = store.get(target);
    if (!m) store.set(target, (m = new Map()));
    m.set(key, value);
  };
  r.getOwnMetadata = own;
  r.defineMetadata = define;
  r.metadata = (key, value) => (target) => define(key, value, target);
  // Walks the prototype chain like reflect-metadata's getMetadata.
  r.getMetadata = (key, target) => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const m = store.get(t);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
}

export {};
