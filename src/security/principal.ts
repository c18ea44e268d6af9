/**
 * Who a connection is, as Kafka names it: a principal type and name ("User:alice"). A connection is
 * User:ANONYMOUS until it authenticates (PLAINTEXT listeners stay so, as in Kafka); an SSL listener's
 * client with a certificate is the name ssl.principal.mapping.rules make of its distinguished name.
 */
export interface KafkaPrincipal {
  readonly type: string;
  readonly name: string;
}

export const USER_TYPE = 'User';

export const ANONYMOUS: KafkaPrincipal = Object.freeze({ type: USER_TYPE, name: 'ANONYMOUS' });

export function userPrincipal(name: string): KafkaPrincipal {
  return { type: USER_TYPE, name };
}

/** "User:alice", the form ACLs, super.users and logs use. */
export function principalToString(p: KafkaPrincipal): string {
  return `${p.type}:${p.name}`;
}

/** Parses "Type:name" (the name may itself contain ':'); null when there is no type. */
export function parsePrincipal(text: string): KafkaPrincipal | null {
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  return { type: text.slice(0, colon), name: text.slice(colon + 1) };
}
