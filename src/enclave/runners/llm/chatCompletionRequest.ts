import { BoccError } from '../../../errors.ts'
import type { FailureReason } from '../../../protocol/failureReasons.ts'

/** One message of an OpenAI-style chat, as the llm runner takes it. */
export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string }

/** What one generation asks for, read from an OpenAI chat completion request body. */
export type ChatCompletionRequest = {
  messages: ChatMessage[]
  /** At most this many generated tokens (the solution's `maxTokens` when absent). */
  maxTokens?: number
  /** 0 (the default): greedy, so the same request gives the same tokens. */
  temperature: number
  stream: boolean
}

/** A request the runner refuses as it stands; the message names the field, never its value. */
export class ChatRequestRejectedError extends BoccError {
  override name = 'ChatRequestRejectedError'
}

const maxMessages = 1024

/**
 * Reads the body of `POST /v1/chat/completions` (the fields BOCC serves: `messages`,
 * `max_tokens` or `max_completion_tokens`, `temperature`, `stream`; others are ignored as an
 * OpenAI server ignores what it does not support). Content given as text parts is joined.
 */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  const fail = (message: string): never => {
    throw new ChatRequestRejectedError(message)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    fail('the request body must be a JSON object')
  const request = body as Record<string, unknown>
  if (!Array.isArray(request.messages) || request.messages.length < 1)
    fail('messages must be a non-empty array')
  const items = request.messages as unknown[]
  if (items.length > maxMessages) fail(`messages may hold at most ${maxMessages} messages`)
  const messages = items.map((item, index): ChatMessage => {
    const message = item as Record<string, unknown> | null
    const role = message?.role === 'developer' ? 'system' : message?.role
    if (role !== 'system' && role !== 'user' && role !== 'assistant')
      fail(`messages[${index}].role must be system, user or assistant`)
    return { role: role as ChatMessage['role'], content: textOf(message?.content, index, fail) }
  })
  const maxTokens = request.max_completion_tokens ?? request.max_tokens
  if (
    maxTokens !== undefined &&
    maxTokens !== null &&
    (!Number.isSafeInteger(maxTokens) || (maxTokens as number) < 1)
  )
    fail('max_tokens must be a positive integer')
  const temperature = request.temperature ?? 0
  if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2))
    fail('temperature must be a number from 0 to 2')
  return {
    messages,
    ...(typeof maxTokens === 'number' ? { maxTokens } : {}),
    temperature: temperature as number,
    stream: request.stream === true,
  }
}

function textOf(content: unknown, index: number, fail: (message: string) => never): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content
      .map((part: { type?: unknown; text?: unknown }) =>
        part?.type === 'text' && typeof part.text === 'string'
          ? part.text
          : fail(`messages[${index}].content may hold only text parts`),
      )
      .join('')
  return fail(`messages[${index}].content must be text`)
}

export type FinishReason = 'stop' | 'length'

/** What one generation used, for the lease's usage counters. */
export type GenerationUsage = {
  promptTokens: number
  completionTokens: number
  finishReason: FinishReason
}

export type GenerationOutcome =
  | ({ ok: true } & GenerationUsage)
  /** `message` names the cause or limit only, never a prompt or a token. */
  | { ok: false; failure: FailureReason; message: string }

/** What bounds one generation beyond the request and the solution's limits. */
export type GenerationBounds = {
  /**
   * Tokens (prompt and generated together) the request may still use, asked for when its turn
   * comes (a lease's budget left then): `max_tokens` is capped by what the prompt leaves of it,
   * and a prompt that leaves nothing is refused.
   */
  tokenBudget?: () => number
}

/** Generates a reply to `request`, handing each piece of text to `onText` as it comes. */
export type GenerateChat = (
  request: ChatCompletionRequest,
  onText: (text: string) => void,
  bounds?: GenerationBounds,
) => Promise<GenerationOutcome>
