// Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`): decoding into the
// server's JSON form, the matching encoder, and the typed errors the apiserver renders.
export { decodeProtobufObject, PROTOBUF_CONTENT_TYPE, PROTOBUF_MAGIC } from './decode.ts';
export type { DecodeOptions, ProtobufObject } from './decode.ts';
export { encodeProtobufObject } from './encode.ts';
export { MalformedProtobufError, UnsupportedProtobufKindError } from './errors.ts';
export { supportedKinds } from './schema.ts';
