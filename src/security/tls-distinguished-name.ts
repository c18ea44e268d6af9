/**
 * A certificate's subject as Java's X500Principal.getName() prints it (RFC 2253): the relative
 * distinguished names last-first, joined by ',', the attributes Java has keywords for by keyword
 * (CN, C, L, ST, O, OU, STREET, DC, UID) with their string values escaped, every other attribute as its
 * OID and '#' with the hex of its DER value (emailAddress: 1.2.840.113549.1.9.1=#16...). Kafka's DEFAULT
 * principal mapping is this text, so an mTLS principal reads the same on kpg as on Kafka.
 *
 * Read from the certificate's DER: Node's own subject text orders and names attributes the OpenSSL way.
 */

const KEYWORDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

// DER string types Java prints as text: UTF8String, PrintableString, TeletexString, IA5String, UniversalString, BMPString.
const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1c, 0x1e]);

interface Tlv {
  tag: number;
  /** The whole element, header included. */
  start: number;
  contentStart: number;
  end: number;
}

function readTlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += bytes;
  }
  const end = contentStart + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, start: offset, contentStart, end };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const child = readTlv(der, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

function oidText(bytes: Buffer): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

function decodeString(tag: number, bytes: Buffer): string {
  if (tag === 0x1e) {
    let s = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes.readUInt16BE(i));
    return s;
  }
  if (tag === 0x1c) {
    let s = '';
    for (let i = 0; i + 3 < bytes.length; i += 4) s += String.fromCodePoint(bytes.readUInt32BE(i));
    return s;
  }
  if (tag === 0x14) return bytes.toString('latin1');
  return bytes.toString('utf8');
}

/** RFC 2253 escaping as Java (17, 21) applies it: , = + < > # ; " \ anywhere, a leading or trailing space, control characters. */
function escapeValue(value: string): string {
  let out = '';
  const chars = [...value];
  chars.forEach((c, i) => {
    const code = c.codePointAt(0)!;
    if (',=+<>#;"\\'.includes(c) || ((i === 0 || i === chars.length - 1) && c === ' ')) {
      out += `\\${c}`;
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).toUpperCase().padStart(2, '0')}`;
    } else {
      out += c;
    }
  });
  return out;
}

function nameToRfc2253(der: Buffer, name: Tlv): string {
  const rdns = children(der, name).map((rdn) =>
    children(der, rdn)
      .map((ava) => {
        const [type, value] = children(der, ava);
        if (!type || !value) throw new Error('malformed attribute');
        const oid = oidText(der.subarray(type.contentStart, type.end));
        const keyword = KEYWORDS[oid];
        if (keyword && STRING_TAGS.has(value.tag)) return `${keyword}=${escapeValue(decodeString(value.tag, der.subarray(value.contentStart, value.end)))}`;
        return `${keyword ?? oid}=#${der.subarray(value.start, value.end).toString('hex')}`;
      })
      .join('+'),
  );
  return rdns.reverse().join(',');
}

/** The subject distinguished name of a DER certificate, in RFC 2253 form as Java prints it. */
export function subjectDistinguishedName(certificateDer: Buffer): string {
  const certificate = readTlv(certificateDer, 0);
  const [tbs] = children(certificateDer, certificate);
  if (!tbs) throw new Error('malformed certificate');
  const fields = children(certificateDer, tbs);
  // version [0] is optional; then serial, signature algorithm, issuer, validity, subject.
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
  if (!subject) throw new Error('certificate without subject');
  return nameToRfc2253(certificateDer, subject);
}
