import { randomBytes } from 'node:crypto'
import { BoccError, shortMessageOf } from '../../errors.ts'
import type { LeaseResponseEvent } from '../../protocol/leaseChannel.ts'
import { EnclaveRefusedError, type LeaseClient, LeaseEndpointError } from './createLeaseClient.ts'

/**
 * An OpenAI-compatible `fetch` for one lease: hand it to an OpenAI client (its `fetch` option)
 * with any base URL ending in `/v1`, or serve it as a proxy ({@link startLeaseProxy}). It answers
 * `GET /v1/models` and `POST /v1/chat/completions`, streaming (SSE) and not, from the enclave:
 * every request is verified, sealed and signed by {@link LeaseClient} before a byte leaves, and
 * every response opened and checked before a byte of it is answered.
 */
export function createLeaseFetch(
  client: LeaseClient,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const model = client.lease.solutionHash
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init)
    const path = new URL(request.url).pathname.replace(/\/+$/, '')
    if (request.method === 'GET' && path.endsWith('/v1/models'))
      return json(200, {
        object: 'list',
        data: [{ id: model, object: 'model', created: 0, owned_by: 'bocc' }],
      })
    if (request.method === 'POST' && path.endsWith('/v1/chat/completions'))
      return chatCompletion(client, model, request)
    return openAiError(404, `no route ${request.method} ${path}`, 'not_found')
  }
}

async function chatCompletion(client: LeaseClient, model: string, request: Request) {
  let body: Record<string, unknown>
  try {
    body = (await request.json()) as Record<string, unknown>
  } catch {
    return openAiError(400, 'the request body is not JSON', 'invalid_request_error')
  }
  const events = client.send(body)
  // The first event decides the status: an error before any token is an HTTP error.
  let first: IteratorResult<LeaseResponseEvent>
  try {
    first = await events.next()
  } catch (error) {
    return failureResponse(error)
  }
  if (first.done) return openAiError(502, 'the enclave sent no response', 'bad_gateway')
  if (first.value.type === 'error')
    return openAiError(
      first.value.failure === 3 ? 400 : 502,
      first.value.message,
      'enclave_refused',
    )
  const id = `chatcmpl-${randomBytes(12).toString('hex')}`
  const created = Math.floor(Date.now() / 1000)
  if (body.stream !== true) {
    const pieces: string[] = []
    let done: Extract<LeaseResponseEvent, { type: 'done' }> | undefined
    try {
      for (
        let event: IteratorResult<LeaseResponseEvent> = first;
        !event.done;
        event = await events.next()
      ) {
        if (event.value.type === 'text') pieces.push(event.value.text)
        else if (event.value.type === 'done') done = event.value
        else return openAiError(502, event.value.message, 'enclave_failed')
      }
    } catch (error) {
      return failureResponse(error)
    }
    if (!done) return openAiError(502, 'the response ended early', 'bad_gateway')
    return json(200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: pieces.join('') },
          logprobs: null,
          finish_reason: done.finishReason,
        },
      ],
      usage: usageOf(done),
    })
  }
  const includeUsage =
    (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true
  const encoder = new TextEncoder()
  const chunk = (delta: object, finishReason: string | null, extra: object = {}) =>
    encoder.encode(
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...extra,
      })}\n\n`,
    )
  let next: IteratorResult<LeaseResponseEvent> | undefined = first
  let started = false
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true
          controller.enqueue(chunk({ role: 'assistant', content: '' }, null))
        }
        const event = next ?? (await events.next())
        next = undefined
        if (event.done) return controller.close()
        const value = event.value
        if (value.type === 'text') controller.enqueue(chunk({ content: value.text }, null))
        else if (value.type === 'done') {
          controller.enqueue(chunk({}, value.finishReason))
          if (includeUsage)
            controller.enqueue(
              encoder.encode(
                `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageOf(value) })}\n\n`,
              ),
            )
          controller.enqueue(encoder.encode('data: [DONE]\n\n'))
        } else
          controller.enqueue(
            encoder.encode(
              `data: ${JSON.stringify({ error: { message: value.message, type: 'enclave_failed' } })}\n\n`,
            ),
          )
      } catch (error) {
        // A chunk that does not authenticate ends the stream as an error: no byte of it is shown.
        controller.error(error)
      }
    },
    cancel() {
      void events.return(undefined)
    },
  })
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
  })
}

function usageOf(done: Extract<LeaseResponseEvent, { type: 'done' }>) {
  return {
    prompt_tokens: done.promptTokens,
    completion_tokens: done.completionTokens,
    total_tokens: done.promptTokens + done.completionTokens,
  }
}

function failureResponse(error: unknown): Response {
  const status =
    error instanceof EnclaveRefusedError ? 403 : error instanceof LeaseEndpointError ? 502 : 502
  return openAiError(
    status,
    error instanceof BoccError ? error.shortMessage : shortMessageOf(error),
    error instanceof EnclaveRefusedError ? 'enclave_not_verified' : 'bad_gateway',
  )
}

function openAiError(status: number, message: string, type: string): Response {
  return json(status, { error: { message, type, param: null, code: null } })
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}
