/** Variables that add a provider; their values (keys above all) are read by providers.ts and go nowhere else. */
export const PROVIDER_ENV_VARS = ['SMESH_ANTHROPIC_API_KEY', 'SMESH_ANTHROPIC_URL', 'SMESH_GEMINI_API_KEY', 'SMESH_GEMINI_URL', 'SMESH_OPENAI_URL', 'SMESH_OPENAI_API_KEY', 'SMESH_OPENAI_TIER']
