import { parseArgs } from 'node:util'
import { OllamaProvider } from '@smesh/inference'

/**
 * Helper of routing-overhead, run inside the serving device's namespace
 * (`ip netns exec NS node routing-raw.js ...`), where the Ollama fixture
 * listens on 127.0.0.1: calls its chat with the node's own OllamaProvider
 * `warm + count` times, one after the other, and prints one JSON line with
 * the time from each call to its first piece of text (ms) of the last
 * `count` calls.
 */
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    model: { type: 'string' },
    prompt: { type: 'string', default: 'hello' },
    count: { type: 'string', default: '200' },
    warm: { type: 'string', default: '10' }
  }
})
if (values.url == null || values.model == null) {
  process.stderr.write('usage: routing-raw.js --url URL --model MODEL [--count N] [--warm N] [--prompt TEXT]\n')
  process.exit(2)
}
const provider = new OllamaProvider({ url: values.url })
const count = Number(values.count)
const warm = Number(values.warm)
const ttftMs: number[] = []
const totalMs: number[] = []
for (let i = 0; i < warm + count; i++) {
  const t0 = performance.now()
  let first: number | undefined
  await provider.chat({ model: values.model, messages: [{ role: 'user', content: values.prompt }] }, { onText: () => { first ??= performance.now() - t0 } })
  if (i < warm) continue
  ttftMs.push(first ?? NaN)
  totalMs.push(performance.now() - t0)
}
process.stdout.write(JSON.stringify({ ttftMs, totalMs }) + '\n')
