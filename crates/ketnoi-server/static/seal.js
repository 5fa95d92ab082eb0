// ketnoi sealed tips, envelope v1, in the browser: a tip is encrypted here, to the receiving
// police units' public keys, before anything leaves the reporter's device. The server stores
// and routes what it cannot read. The format is specified in docs/SECURITY.md ("Envelope v1");
// crates/ketnoi-seal is the same format in Rust, and a browser test checks that the two agree
// byte for byte in both directions.
//
// Only WebCrypto (crypto.subtle) and crypto.getRandomValues: no library, nothing evaluated.
// Binary values are Uint8Array; in JSON they are base64url without padding ("b64u"). Every
// function that touches crypto.subtle returns a promise. Errors are plain Error objects whose
// message names what failed ("tampered", "truncated", "passphrase", …), never a secret.
//
// JavaScript cannot wipe memory the way Rust does; keys and plaintext are overwritten where it
// is cheap (fill(0)) and otherwise left to the garbage collector.
(function () {
  "use strict";

  var VERSION = 1;
  var CHUNK = 65536;            // plaintext bytes per attachment chunk
  var TAG = 16;                 // AES-GCM tag bytes
  var SEGMENT = CHUNK + TAG;    // ciphertext bytes per full chunk
  var MIN_ITERATIONS = 600000;  // PBKDF2 for officer keys: what we seal with, the least we open
  var MAX_ITERATIONS = 10000000; // …and the most we open (a larger stored count would hang here)
  var CLEAR_FIELDS = ["account", "category", "area", "occurred", "mode"];
  var MODES = ["anonymous", "identified"];
  var LABELS = ["report", "unit"];
  var AUTHORS = ["unit", "reporter"];
  var CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  var B64U = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var EMPTY = new Uint8Array(0);
  var P256 = { name: "ECDH", namedCurve: "P-256" };

  var subtle = window.crypto && window.crypto.subtle;
  var encoder = new TextEncoder();
  var decoder = new TextDecoder("utf-8", { fatal: true });

  // Each base64url character's value by character code; -1 outside the alphabet.
  var B64U_VALUE = new Int8Array(128).fill(-1);
  for (var k = 0; k < B64U.length; k++) { B64U_VALUE[B64U.charCodeAt(k)] = k; }

  function fail(what) { throw new Error(what); }

  // ---------------------------------------------------------------------------------------
  // Bytes and text
  // ---------------------------------------------------------------------------------------

  function b64u(bytes) {
    var out = [];
    var i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      var n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out.push(B64U[n >> 18], B64U[(n >> 12) & 63], B64U[(n >> 6) & 63], B64U[n & 63]);
    }
    if (bytes.length - i === 1) {
      out.push(B64U[bytes[i] >> 2], B64U[(bytes[i] & 3) << 4]);
    } else if (bytes.length - i === 2) {
      var m = (bytes[i] << 8) | bytes[i + 1];
      out.push(B64U[m >> 10], B64U[(m >> 4) & 63], B64U[(m & 15) << 2]);
    }
    return out.join("");
  }

  // Strict, as the Rust side is: no padding, no other alphabet, and the unused low bits of the
  // last character must be zero, so every value has exactly one encoding.
  function unb64u(text) {
    if (typeof text !== "string" || text.length % 4 === 1) { fail("base64url"); }
    var out = new Uint8Array(Math.floor(text.length * 3 / 4));
    var value = 0, bits = 0, j = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      var v = c < 128 ? B64U_VALUE[c] : -1;
      if (v < 0) { fail("base64url"); }
      value = (value << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[j++] = (value >> bits) & 255;
      }
      value &= (1 << bits) - 1;
    }
    if (value !== 0) { fail("base64url"); }
    return out;
  }

  // A value that must decode to exactly `length` bytes.
  function unb64uFixed(text, length, what) {
    var bytes = unb64u(text);
    if (bytes.length !== length) { fail(what); }
    return bytes;
  }

  function random(length) {
    return window.crypto.getRandomValues(new Uint8Array(length));
  }

  function concat(a, b) {
    var out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  function isBytes(value, length) {
    return value instanceof Uint8Array && (length === undefined || value.length === length);
  }

  // All text is sealed in NFC, so the same words typed on two keyboards (Vietnamese tone marks
  // come precomposed or not) make the same bytes.
  function nfc(text) {
    if (typeof text !== "string") { fail("text"); }
    return text.normalize("NFC");
  }

  function utf8(text) { return encoder.encode(text); }

  // ---------------------------------------------------------------------------------------
  // Primitives: HKDF-SHA-256, AES-256-GCM, P-256 ECDH, PBKDF2-HMAC-SHA-256
  // ---------------------------------------------------------------------------------------

  async function hkdf(ikm, salt, info, length) {
    var key = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
    var params = { name: "HKDF", hash: "SHA-256", salt: salt, info: utf8(info) };
    return new Uint8Array(await subtle.deriveBits(params, key, length * 8));
  }

  function aesKey(raw) {
    return subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  }

  function gcm(nonce, aad) {
    return { name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 };
  }

  async function seal(key, nonce, plaintext, aad) {
    return new Uint8Array(await subtle.encrypt(gcm(nonce, aad), key, plaintext));
  }

  // Any failure to authenticate is "tampered": a changed ciphertext, nonce or associated
  // data, or the wrong key.
  async function open(key, nonce, ciphertext, aad) {
    try {
      return new Uint8Array(await subtle.decrypt(gcm(nonce, aad), key, ciphertext));
    } catch (e) {
      fail("tampered");
    }
  }

  // A sealed JSON value as stored: {nonce, ct}.
  async function sealValue(rawKey, plaintext, aad) {
    var nonce = random(12);
    var ct = await seal(await aesKey(rawKey), nonce, plaintext, aad);
    return { nonce: b64u(nonce), ct: b64u(ct) };
  }

  async function openValue(rawKey, sealed, aad) {
    var nonce = unb64uFixed(sealed.nonce, 12, "nonce");
    return open(await aesKey(rawKey), nonce, unb64u(sealed.ct), aad);
  }

  function checkPublic(publicRaw) {
    if (!isBytes(publicRaw, 65) || publicRaw[0] !== 4) { fail("public key"); }
  }

  // Importing checks that the point is on the curve.
  function importPublic(publicRaw) {
    checkPublic(publicRaw);
    return subtle.importKey("raw", publicRaw, P256, false, []).catch(function () {
      fail("public key");
    });
  }

  // WebCrypto takes a raw private scalar only inside a JWK, which also wants the public point.
  function importPrivate(d, publicRaw) {
    checkPublic(publicRaw);
    if (!isBytes(d, 32)) { fail("private key"); }
    var jwk = {
      kty: "EC", crv: "P-256", ext: false,
      d: b64u(d), x: b64u(publicRaw.subarray(1, 33)), y: b64u(publicRaw.subarray(33, 65))
    };
    return subtle.importKey("jwk", jwk, P256, false, ["deriveBits"]).catch(function () {
      fail("private key");
    });
  }

  // The shared secret Z: the X coordinate of the shared point, 32 bytes.
  async function ecdh(privateKey, publicKey) {
    return new Uint8Array(await subtle.deriveBits({ name: "ECDH", public: publicKey }, privateKey, 256));
  }

  async function pbkdf2(passphrase, salt, iterations) {
    var key = await subtle.importKey("raw", utf8(nfc(passphrase)), "PBKDF2", false, ["deriveBits"]);
    var params = { name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: iterations };
    return new Uint8Array(await subtle.deriveBits(params, key, 256));
  }

  // ---------------------------------------------------------------------------------------
  // Keys and wrapping
  // ---------------------------------------------------------------------------------------

  // base64url of the first 16 bytes of SHA-256 of the public key: 22 characters.
  async function kid(publicRaw) {
    var digest = new Uint8Array(await subtle.digest("SHA-256", publicRaw));
    return b64u(digest.subarray(0, 16));
  }

  async function generateKeyPair() {
    var pair = await subtle.generateKey(P256, true, ["deriveBits"]);
    var publicRaw = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
    var jwk = await subtle.exportKey("jwk", pair.privateKey);
    return { publicRaw: publicRaw, d: unb64uFixed(jwk.d, 32, "private key") };
  }

  // KEK = HKDF(Z, salt = E || R, info = "ketnoi/v1/wrap/" + label).
  function wrappingKey(z, epk, recipientRaw, label) {
    return hkdf(z, concat(epk, recipientRaw), "ketnoi/v1/wrap/" + label, 32);
  }

  async function wrap(secret, recipientPublicRaw, label) {
    if (LABELS.indexOf(label) < 0) { fail("label"); }
    if (!isBytes(secret)) { fail("secret"); }
    var recipient = await importPublic(recipientPublicRaw);
    var ephemeral = await subtle.generateKey(P256, false, ["deriveBits"]);
    var epk = new Uint8Array(await subtle.exportKey("raw", ephemeral.publicKey));
    var z = await ecdh(ephemeral.privateKey, recipient);
    var kek = await wrappingKey(z, epk, recipientPublicRaw, label);
    z.fill(0);
    var id = await kid(recipientPublicRaw);
    var nonce = random(12);
    var ct = await seal(await aesKey(kek), nonce, secret, utf8(id));
    kek.fill(0);
    return { kid: id, epk: b64u(epk), nonce: b64u(nonce), ct: b64u(ct) };
  }

  async function unwrap(wrapped, d, publicRaw, label) {
    if (LABELS.indexOf(label) < 0) { fail("label"); }
    var id = await kid(publicRaw);
    if (wrapped.kid !== id) { fail("not for this key"); }
    var epk = unb64uFixed(wrapped.epk, 65, "epk");
    var z = await ecdh(await importPrivate(d, publicRaw), await importPublic(epk));
    var kek = await wrappingKey(z, epk, publicRaw, label);
    z.fill(0);
    var nonce = unb64uFixed(wrapped.nonce, 12, "nonce");
    var secret = await open(await aesKey(kek), nonce, unb64u(wrapped.ct), utf8(id));
    kek.fill(0);
    return secret;
  }

  // ---------------------------------------------------------------------------------------
  // Reports
  // ---------------------------------------------------------------------------------------

  // "ketnoi-tip-v1\n" then "name=value\n" for each clear field in order. A line break (or any
  // control character) in a value would make this ambiguous, so it is refused.
  function clearAad(clear) {
    var text = "ketnoi-tip-v1\n";
    CLEAR_FIELDS.forEach(function (name) {
      var value = clear[name];
      if (typeof value !== "string" || /[\u0000-\u001f\u007f-\u009f]/.test(value)) {
        fail("clear field " + name);
      }
      text += name + "=" + value + "\n";
    });
    return utf8(text);
  }

  function bodyKey(reportKey) {
    return hkdf(reportKey, EMPTY, "ketnoi/v1/body", 32);
  }

  // Officers' internal notes on a tip are sealed under a key derived from the report key, so
  // that whoever can open the report (its units' officers, the units it is transferred to) can
  // read them, and the reporter, who holds only the reply key, cannot.
  function noteKey(reportKey) {
    return hkdf(reportKey, EMPTY, "ketnoi/v1/note", 32);
  }

  async function sealNote(reportKey, text) {
    if (!isBytes(reportKey, 32)) { fail("report key"); }
    var key = await noteKey(reportKey);
    try {
      return await sealValue(key, utf8(JSON.stringify({ text: nfc(text) })), utf8("ketnoi/v1/note"));
    } finally {
      key.fill(0);
    }
  }

  async function openNote(reportKey, sealed) {
    if (!isBytes(reportKey, 32)) { fail("report key"); }
    var key = await noteKey(reportKey);
    try {
      var plain = await openValue(key, sealed, utf8("ketnoi/v1/note"));
      return JSON.parse(new TextDecoder().decode(plain)).text;
    } finally {
      key.fill(0);
    }
  }

  function attachmentKey(reportKey, salt) {
    return hkdf(reportKey, salt, "ketnoi/v1/attachment", 32);
  }

  // Chunk i's nonce: seven zero bytes, i as a big-endian u32, then 1 on the last chunk only.
  function chunkNonce(index, last) {
    var nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setUint32(7, index, false);
    nonce[11] = last ? 1 : 0;
    return nonce;
  }

  // An empty file is one empty chunk; a file that fills its last chunk has no extra one.
  function chunkCount(length) {
    return Math.max(1, Math.ceil(length / CHUNK));
  }

  async function sealStream(rawKey, bytes) {
    var key = await aesKey(rawKey);
    var count = chunkCount(bytes.length);
    var out = new Uint8Array(bytes.length + count * TAG);
    for (var i = 0; i < count; i++) {
      var chunk = bytes.subarray(i * CHUNK, Math.min(bytes.length, (i + 1) * CHUNK));
      out.set(await seal(key, chunkNonce(i, i === count - 1), chunk, EMPTY), i * SEGMENT);
    }
    return out;
  }

  // The length is checked before anything is decrypted: a stream cut short, or with a chunk
  // dropped or added, is "truncated"; a changed or reordered chunk is "tampered".
  async function openStream(rawKey, ciphertext, size) {
    var count = Math.ceil(ciphertext.length / SEGMENT);
    var last = ciphertext.length - (count - 1) * SEGMENT;
    if (count === 0 || last < TAG) { fail("truncated"); }
    var plainLength = ciphertext.length - count * TAG;
    if (plainLength !== size || count !== chunkCount(plainLength)) { fail("truncated"); }
    var key = await aesKey(rawKey);
    var out = new Uint8Array(plainLength);
    for (var i = 0; i < count; i++) {
      var segment = ciphertext.subarray(i * SEGMENT, Math.min(ciphertext.length, (i + 1) * SEGMENT));
      out.set(await open(key, chunkNonce(i, i === count - 1), segment, EMPTY), i * CHUNK);
    }
    return out;
  }

  // report = {clear: {account, category, area, occurred, mode}, recipients: [publicRaw…],
  // description, details: {name: text…} (optional), files: [{name, type, bytes}…], replyKey}
  async function sealReport(report) {
    var clear = {};
    CLEAR_FIELDS.forEach(function (name) { clear[name] = nfc(report.clear[name]); });
    if (MODES.indexOf(clear.mode) < 0) { fail("clear field mode"); }
    var aad = clearAad(clear);
    var recipients = report.recipients || [];
    if (!recipients.length) { fail("no recipients"); }
    if (!isBytes(report.replyKey, 32)) { fail("reply key"); }

    var reportKey = random(32);
    var wrapped = [];
    for (var r = 0; r < recipients.length; r++) {
      wrapped.push(await wrap(reportKey, recipients[r], "report"));
    }

    var entries = [];
    var streams = [];
    var files = report.files || [];
    for (var f = 0; f < files.length; f++) {
      var file = files[f];
      if (!isBytes(file.bytes) || typeof file.type !== "string") { fail("file"); }
      var salt = random(16);
      var ak = await attachmentKey(reportKey, salt);
      streams.push(await sealStream(ak, file.bytes));
      ak.fill(0);
      entries.push({ name: nfc(file.name), type: file.type, size: file.bytes.length, salt: b64u(salt) });
    }

    var details = {};
    Object.keys(report.details || {}).forEach(function (name) {
      details[nfc(name)] = nfc(report.details[name]);
    });
    var body = {
      description: nfc(report.description),
      details: details,
      attachments: entries,
      reply_key: b64u(report.replyKey),
      sealed_by: "browser"
    };
    var bk = await bodyKey(reportKey);
    reportKey.fill(0);
    var sealed = await sealValue(bk, utf8(JSON.stringify(body)), aad);
    bk.fill(0);
    return {
      envelope: { v: VERSION, clear: clear, recipients: wrapped, body: sealed },
      attachments: streams
    };
  }

  // Opens with the recipient entry whose kid is this key's: {body, reportKey}.
  async function openReport(envelope, d, publicRaw) {
    if (envelope.v !== VERSION) { fail("version"); }
    var aad = clearAad(envelope.clear);
    var id = await kid(publicRaw);
    var entry = (envelope.recipients || []).find(function (w) { return w.kid === id; });
    if (!entry) { fail("wrong key"); }
    var reportKey = await unwrap(entry, d, publicRaw, "report");
    if (reportKey.length !== 32) { fail("report key"); }
    var bk = await bodyKey(reportKey);
    var plaintext = await openValue(bk, envelope.body, aad);
    bk.fill(0);
    return { body: JSON.parse(decoder.decode(plaintext)), reportKey: reportKey };
  }

  async function openAttachment(reportKey, entry, ciphertext) {
    var ak = await attachmentKey(reportKey, unb64uFixed(entry.salt, 16, "salt"));
    var plaintext = await openStream(ak, ciphertext, entry.size);
    ak.fill(0);
    return plaintext;
  }

  // ---------------------------------------------------------------------------------------
  // Receipts: 10 random bytes as 16 Crockford base32 symbols, XXXX-XXXX-XXXX-XXXX
  // ---------------------------------------------------------------------------------------

  function formatReceipt(bytes) {
    var out = "";
    var value = 0, bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      value = (value << 8) | bytes[i];
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        if (out.length === 4 || out.length === 9 || out.length === 14) { out += "-"; }
        out += CROCKFORD[(value >> bits) & 31];
      }
      value &= (1 << bits) - 1;
    }
    return out;
  }

  function newReceipt() {
    return formatReceipt(random(10));
  }

  // As a person may type it: any case, dashes and spaces anywhere, O for 0, I or L for 1.
  // null for anything else (U included) or a length other than 16 symbols.
  function parseReceipt(code) {
    if (typeof code !== "string") { return null; }
    var out = new Uint8Array(10);
    var value = 0, bits = 0, symbols = 0, j = 0;
    for (var i = 0; i < code.length; i++) {
      var c = code[i];
      if (c === "-" || c === " ") { continue; }
      if (c >= "a" && c <= "z") { c = c.toUpperCase(); }
      if (c === "O") { c = "0"; } else if (c === "I" || c === "L") { c = "1"; }
      var symbol = CROCKFORD.indexOf(c);
      if (symbol < 0 || ++symbols > 16) { return null; }
      value = (value << 5) | symbol;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out[j++] = (value >> bits) & 255;
      }
      value &= (1 << bits) - 1;
    }
    return symbols === 16 ? out : null;
  }

  // lookup (16 bytes) and auth (32) are sent to the server; the reply key never is.
  async function deriveReceipt(code) {
    var r = parseReceipt(code);
    if (!r) { fail("receipt"); }
    var salt = utf8("ketnoi/v1/receipt");
    var lookup = await hkdf(r, salt, "lookup", 16);
    var auth = await hkdf(r, salt, "auth", 32);
    var replyKey = await hkdf(r, salt, "reply", 32);
    r.fill(0);
    return { lookup: b64u(lookup), auth: b64u(auth), replyKey: replyKey };
  }

  // ---------------------------------------------------------------------------------------
  // Messages under the reply key
  // ---------------------------------------------------------------------------------------

  function messageAad(author) {
    if (AUTHORS.indexOf(author) < 0) { fail("author"); }
    return utf8("ketnoi/v1/message/" + author);
  }

  function sealMessage(replyKey, author, text) {
    if (!isBytes(replyKey, 32)) { fail("reply key"); }
    return sealValue(replyKey, utf8(JSON.stringify({ text: nfc(text) })), messageAad(author));
  }

  async function openMessage(replyKey, author, sealed) {
    if (!isBytes(replyKey, 32)) { fail("reply key"); }
    var message = JSON.parse(decoder.decode(await openValue(replyKey, sealed, messageAad(author))));
    if (typeof message.text !== "string") { fail("message"); }
    return message.text;
  }

  // ---------------------------------------------------------------------------------------
  // Officer keys under a passphrase
  // ---------------------------------------------------------------------------------------

  async function sealWithPassphrase(d, publicRaw, passphrase) {
    if (!passphrase) { fail("passphrase"); }
    await importPrivate(d, publicRaw); // refuses a scalar that is not this public key's
    var id = await kid(publicRaw);
    var salt = random(16);
    var pk = await pbkdf2(passphrase, salt, MIN_ITERATIONS);
    var nonce = random(12);
    var ct = await seal(await aesKey(pk), nonce, d, utf8(id));
    pk.fill(0);
    return {
      kid: id, public: b64u(publicRaw), salt: b64u(salt), iterations: MIN_ITERATIONS,
      nonce: b64u(nonce), ct: b64u(ct)
    };
  }

  // Resolves to d; rejects with Error("passphrase") when the passphrase is wrong.
  async function openWithPassphrase(sealedKey, passphrase) {
    var iterations = sealedKey.iterations;
    if (typeof iterations !== "number" || iterations % 1 !== 0 ||
        iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      fail("iterations");
    }
    var publicRaw = unb64uFixed(sealedKey.public, 65, "public key");
    if (await kid(publicRaw) !== sealedKey.kid) { fail("kid"); }
    var salt = unb64uFixed(sealedKey.salt, 16, "salt");
    var nonce = unb64uFixed(sealedKey.nonce, 12, "nonce");
    var pk = await pbkdf2(passphrase, salt, iterations);
    var d;
    try {
      d = await open(await aesKey(pk), nonce, unb64u(sealedKey.ct), utf8(sealedKey.kid));
    } catch (e) {
      fail("passphrase");
    } finally {
      pk.fill(0);
    }
    await importPrivate(d, publicRaw);
    return d;
  }

  function available() {
    return !!(window.isSecureContext && window.crypto && window.crypto.subtle);
  }

  window.ketnoiSeal = Object.freeze({
    b64u: b64u,
    unb64u: unb64u,
    available: available,
    kid: kid,
    generateKeyPair: generateKeyPair,
    wrap: wrap,
    unwrap: unwrap,
    sealReport: sealReport,
    openReport: openReport,
    openAttachment: openAttachment,
    newReceipt: newReceipt,
    parseReceipt: parseReceipt,
    deriveReceipt: deriveReceipt,
    sealMessage: sealMessage,
    openMessage: openMessage,
    sealNote: sealNote,
    openNote: openNote,
    sealWithPassphrase: sealWithPassphrase,
    openWithPassphrase: openWithPassphrase
  });
})();
