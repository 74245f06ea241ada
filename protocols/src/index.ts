/**
 * Wire definitions shared by every smesh node. Each `.proto` file sits beside
 * the protons-generated code; regenerate with `npm run generate -w @smesh/protocols`.
 */
export { IdentityBinding, IdentityBindingSignable } from './identity/binding.js'
export { Presence, SignedPresence, Link, Capability } from './presence/presence.js'
export {
  PRESENCE_VERSION,
  MAX_PRESENCE_BYTES,
  MAX_PRESENCE_ADDRS,
  MAX_PRESENCE_LINKS,
  MAX_PRESENCE_CAPABILITIES,
  MAX_PRESENCE_NAME,
  MAX_PRESENCE_SOFTWARE,
  presenceTopic,
  decodePresence,
  decodeSignedPresence,
  presenceSigningBytes,
  PRESENCE_SIGNING_PREFIX,
  MAX_SIGNED_PRESENCE_BYTES
} from './presence/limits.js'
export {
  BINDING_VERSION,
  PQ_ALG_ML_DSA_65,
  MAX_BINDING_BYTES
} from './identity/limits.js'
export { Entry } from './bus/entry.js'
export { Head, SyncHello, SyncHeads, SyncWant, SyncBatch, ForkProof } from './bus/sync.js'
export { BundleManifest } from './bus/bundle.js'
export * from './bus/limits.js'
export { InviteToken, JoinRequest, JoinResponse, PhoneLink } from './membership/join.js'
export * from './membership/limits.js'
export { Advert, AdvertProvider, AdvertModel, SignedAdvert, ChatMessage as TaskMessage, ImagePart as TaskImage, ToolCall as TaskToolCall, ToolDef as TaskToolDef, TaskRequest, TaskFrame, TaskDone, TaskError, Embedding as TaskEmbedding } from './tasks/task.js'
export * from './tasks/limits.js'
export { ReadRequest, ReadResponse, Notice, AskRequest, AskMessage, AskEvent, PushRequest, PushResponse } from './device/device.js'
export * from './device/limits.js'
