// The node's image store, as the process runtime sees it (a CRI ImageService over a directory):
// images loaded from docker-save / OCI archives or pulled from a registry, each unpacked once
// into a flattened, read-only root filesystem that containers are made from.

/** The parts of an image's config a container is started with (OCI image config `config`). */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  /** `KEY=value` entries, in order. */
  env?: string[];
  workingDir?: string;
  /** `uid`, `uid:gid`, `name` or `name:group`, as the image says. */
  user?: string;
}

export interface StoredImage {
  /** `sha256:<hex>` of the image config: the image's identity. */
  id: string;
  /** Normalized names it answers to (`docker.io/library/busybox:1.36`). */
  names: string[];
  /** `repo@sha256:<manifest digest>` when known (pulled images); containerStatuses[].imageID. */
  digestRef?: string;
  /** Unpacked size in bytes (the Pulled event's image size). */
  size: number;
  config: ImageConfig;
  /** Absolute path of the flattened root filesystem; containers must not write to it. */
  rootfs: string;
}

/** Credentials for a registry host (from imagePullSecrets' .dockerconfigjson). */
export interface RegistryAuth {
  /** `registry.example:5000`, `docker.io` … */
  host: string;
  username?: string;
  password?: string;
  /** base64 `user:password`, as .dockerconfigjson's `auth`. */
  auth?: string;
}

export interface PullOptions {
  auth?: RegistryAuth[];
  /** Use plain HTTP for these hosts (a local registry); default: http for localhost / 127.0.0.1 only. */
  insecureHosts?: string[];
  signal?: AbortSignal;
}

export interface ImageStore {
  /** The image a reference means: a name (normalized as containerd does), a digest ref, or an id. */
  find(ref: string): StoredImage | undefined;
  list(): StoredImage[];
  /** Loads every image of a docker-save or OCI archive; a malformed archive changes nothing. */
  load(archivePath: string): Promise<StoredImage[]>;
  /** Removes the image a reference means (false when unknown). */
  remove(ref: string): boolean;
  /** Pulls from an OCI distribution registry; rejects with an Error whose message says why. */
  pull(ref: string, o?: PullOptions): Promise<StoredImage>;
}
