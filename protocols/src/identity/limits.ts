/** The only identity binding format version this code understands. */
export const BINDING_VERSION = 1
/** Algorithm number of ML-DSA-65 (FIPS 204) on the wire. */
export const PQ_ALG_ML_DSA_65 = 1
/** A binding record larger than this is refused before decoding. */
export const MAX_BINDING_BYTES = 8 * 1024
