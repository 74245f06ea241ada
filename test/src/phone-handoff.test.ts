import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { chromiumUnavailable } from './harness/browser.js'
import { netnsUnavailable } from './harness/exec.js'
import { listOwnNamespaces } from './harness/lan.js'
import { PHONE, PHONE_ANSWER as ANSWER, PHONE_MODEL as MODEL, askFromPage, joinFromPage, phoneLink, startPhoneMesh } from './harness/phone.js'
import { waitFor } from './harness/smesh-process.js'
import type { PhoneMesh } from './harness/phone.js'
import type { Page } from 'playwright-core'

const skip = netnsUnavailable() ?? chromiumUnavailable()

/**
 * A handoff as the phone shows it: the desk (the node the phone talks to,
 * which prefers its own model) loses its backend's connection two pieces
 * into the answer; the task moves to the laptop, which continues it; the page
 * marks where it moved.
 */
describe('a phone\'s answer that moves to another device mid-way', { skip, timeout: 180_000 }, () => {
  let mesh: PhoneMesh
  let page: Page

  before(async () => {
    mesh = await startPhoneMesh({ deskModel: { ...MODEL, dropAfter: 2 }, laptopModel: { ...MODEL, continuation: true } })
    const context = await mesh.browser.newContext(PHONE)
    page = await context.newPage()
    await joinFromPage(page, await phoneLink(mesh.desk), 'pixel')
    await waitFor(async () => /^Connected to /.test(await page.getByTestId('link').textContent() ?? ''), { timeoutMs: 15_000, what: 'the phone to connect' })
  })
  after(async () => {
    await mesh?.stop()
    assert.deepEqual(await listOwnNamespaces(), [], 'the harness left namespaces behind')
  })

  it('the answer is whole, served in the end by the laptop, with the handoff marked where it moved', async () => {
    await askFromPage(page, 'keep going')
    assert.equal(await page.getByTestId('served').last().textContent(), 'answered by laptop · llama3.2:3b · local')
    const answer = page.getByTestId('answer').last()
    assert.match(await answer.getByTestId('handoff').textContent() ?? '', /moved on from desk/)
    assert.equal((await answer.locator('span').allTextContents()).join(''), ANSWER.join(''), 'the laptop continued where the desk stopped: nothing lost, nothing twice')
    // the mark stands where the answer moved: after as much text as the desk's handoff record says it had given
    const handoff = await waitFor(async () => (await mesh.desk.api<Array<{ body: { handedOff?: Array<{ partialChars: number, fromDevice: string }> } }>>('/v1/bus/log?kind=task.done&limit=1'))[0]?.body.handedOff?.[0], { timeoutMs: 5_000, what: 'the task\'s record with its handoff' })
    assert.equal(handoff?.fromDevice, 'desk')
    const before = await answer.evaluate((el) => {
      let chars = 0
      for (const c of [...(el as any).children]) {
        if (c.tagName === 'MARK') return chars
        chars += String(c.textContent).length
      }
      return -1
    })
    assert.equal(before, handoff?.partialChars, 'the mark is after the text the desk gave, before the laptop\'s')
    assert.equal((await mesh.deskOllama?.chats())?.length, 1)
    if ((handoff?.partialChars ?? 0) > 0) assert.ok((await mesh.ollama.chats()).at(-1)?.body.includes(ANSWER.join('').slice(0, handoff?.partialChars)), 'the laptop was asked to continue from what the desk had said')
  })
})
