/**
 * HTTP helpers for console tests: JSON calls with fetch() against a gateway's console address.
 */
import type { Gateway } from '../../src/gateway.js';

export interface ConsoleReply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export function consoleUrl(gateway: Gateway, path: string): string {
  const address = gateway.consoleAddress;
  if (!address) throw new Error('the gateway serves no console');
  return `http://${address.host}:${address.port}${path}`;
}

export async function call<T = any>(
  gateway: Gateway,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; auth?: { user: string; password: string } } = {},
): Promise<ConsoleReply<T>> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined || options.rawBody !== undefined) headers['Content-Type'] = 'application/json';
  if (options.auth) headers.Authorization = `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}`;
  const response = await fetch(consoleUrl(gateway, path), {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: body as T };
}
