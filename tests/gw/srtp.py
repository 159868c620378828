#!/usr/bin/env python3
"""srtp.py - the test peer's own SRTP (RFC 3711) with SDES keys (RFC 4568), written from the RFC text.

gwd uses libsrtp2; this is an independent implementation so that two wrongs cannot agree.  AES-128 in
counter mode comes from OpenSSL's libcrypto through ctypes (Python has none), HMAC-SHA1 from the stdlib.
Suites AES_CM_128_HMAC_SHA1_80 and _32 (SRTCP always with an 80-bit tag, RFC 4568 6.2), key derivation
rate 0, no MKI, per-SSRC rollover counters and 64-packet replay windows.
Srtp(key_salt, suite): protect_rtp / unprotect_rtp / protect_rtcp / unprotect_rtcp (SrtpError 'auth',
'replay', 'short'); sdes_crypto_line, sdes_parse, new_key.  `python3 srtp.py --selftest`: RFC 3711 B.2
and B.3 vectors, round trips, interop with libsrtp2 if loadable; one line per check, exit 1 on a failure.
"""
import base64
import binascii
import ctypes
import ctypes.util
import hashlib
import hmac
import os
import re
import struct
import sys

SUITES = {'AES_CM_128_HMAC_SHA1_80': 10, 'AES_CM_128_HMAC_SHA1_32': 4}
RTCP_TAG = 10                      # RFC 4568 6.2: both suites use HMAC_SHA1_80 for SRTCP
WINDOW = 64                        # replay window, packets (RFC 3711 3.3.2 asks for at least 64)


class SrtpError(Exception):
    """args[0]: 'auth', 'replay', 'short', or what is wrong with a key or an a=crypto line"""


# ---- AES-128 counter mode through libcrypto --------------------------------------------------------------
_lib = ctypes.CDLL(ctypes.util.find_library('crypto') or 'libcrypto.so.3')
_p, _s, _i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
for _fn, _res, _args in (('EVP_CIPHER_CTX_new', _p, []), ('EVP_CIPHER_CTX_free', None, [_p]),
                         ('EVP_aes_128_ctr', _p, []), ('EVP_EncryptInit_ex', _i, [_p, _p, _p, _s, _s]),
                         ('EVP_EncryptUpdate', _i, [_p, _p, ctypes.POINTER(_i), _s, _i])):
    getattr(_lib, _fn).restype, getattr(_lib, _fn).argtypes = _res, _args
_AES_CTR = _lib.EVP_aes_128_ctr()


def aes_cm(key, iv, data):
    """AES-CM (RFC 3711 4.1.1): data XOR AES_key(iv), AES_key(iv+1), ...  (16-byte key and iv)"""
    ctx = _lib.EVP_CIPHER_CTX_new()
    try:
        out, outl = ctypes.create_string_buffer(len(data) + 16), ctypes.c_int(0)
        if (_lib.EVP_EncryptInit_ex(ctx, _AES_CTR, None, key, iv) != 1 or
                _lib.EVP_EncryptUpdate(ctx, out, ctypes.byref(outl), data, len(data)) != 1):
            raise SrtpError('libcrypto')
        return out.raw[:outl.value]
    finally:
        _lib.EVP_CIPHER_CTX_free(ctx)


def derive(master_key, master_salt, label, n):
    """RFC 3711 4.3.1 with kdr = 0: x = label || 0^48 XOR master salt, key = AES-CM(master key, x * 2^16)"""
    x = int.from_bytes(master_salt, 'big') ^ (label << 48)
    return aes_cm(master_key, (x << 16).to_bytes(16, 'big'), bytes(n))


def _iv(salt, ssrc, index):
    """RFC 3711 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)"""
    return ((int.from_bytes(salt, 'big') << 16) ^ (ssrc << 64) ^ (index << 16)).to_bytes(16, 'big')


class _Window:
    """The highest index accepted and a bitmap of the WINDOW indices below it (RFC 3711 3.3.2)."""
    def __init__(self):
        self.top, self.bits = None, 0

    def check(self, i):
        if self.top is not None and i <= self.top and (self.top - i >= WINDOW or self.bits >> (self.top - i) & 1):
            raise SrtpError('replay')

    def accept(self, i):
        if self.top is None or i > self.top:
            self.bits = 1 if self.top is None else (self.bits << (i - self.top) | 1) & ((1 << WINDOW) - 1)
            self.top = i
        else:
            self.bits |= 1 << (self.top - i)


def _estimate(top, seq):
    """RFC 3711 3.3.1 / Appendix A: the packet index of seq given the highest index so far (s_l, ROC)"""
    if top is None:
        return seq                               # the first packet: ROC = 0, s_l = SEQ
    s_l, roc = top & 0xffff, top >> 16
    if s_l < 0x8000:
        v = roc - 1 if seq - s_l > 0x8000 else roc
    else:
        v = roc + 1 if s_l - 0x8000 > seq else roc
    return (max(v, 0) << 16) | seq              # while ROC is 0, there is no ROC -1 to go back to


def _rtp_header(pkt):
    """(header length: 12 + CSRCs + the extension if X, seq, SSRC) of an RTP packet"""
    n = 12 + 4 * (pkt[0] & 0x0f) if len(pkt) >= 12 else 0
    if n and pkt[0] & 0x10:
        n = n + 4 + 4 * struct.unpack_from('!H', pkt, n + 2)[0] if len(pkt) >= n + 4 else 0
    if not n or len(pkt) < n:
        raise SrtpError('short')
    return (n,) + struct.unpack_from('!xxHxxxxI', pkt)


class Srtp:
    """One SRTP/SRTCP crypto context per master key; per-SSRC ROC and replay state in each direction.
    Use one object to protect what you send and another (same or other key) to unprotect what you get."""

    def __init__(self, key_salt, suite='AES_CM_128_HMAC_SHA1_80'):
        if suite not in SUITES or len(key_salt) != 30:
            raise SrtpError('want a suite of SUITES and 30 bytes of key||salt: %s, %d' % (suite, len(key_salt)))
        mk, ms = bytes(key_salt[:16]), bytes(key_salt[16:])
        self.suite, self.tag_len = suite, SUITES[suite]
        # RFC 3711 4.3.2 labels: 0..2 SRTP encryption key, auth key, salt; 3..5 the same for SRTCP
        self.rtp_key, self.rtp_auth, self.rtp_salt, self.rtcp_key, self.rtcp_auth, self.rtcp_salt = \
            (derive(mk, ms, label, n) for label, n in enumerate((16, 20, 14) * 2))
        self.tx, self.rx = {}, {}             # SSRC -> highest RTP index sent / _Window of RTP indices received
        self.rtcp_tx, self.rtcp_rx = {}, {}   # SSRC -> next SRTCP index to send / _Window of SRTCP indices

    def _rtp_tag(self, auth_part, roc):
        return hmac.new(self.rtp_auth, auth_part + struct.pack('!I', roc), hashlib.sha1).digest()[:self.tag_len]

    def protect_rtp(self, pkt):
        pkt = bytes(pkt)
        h, seq, ssrc = _rtp_header(pkt)
        i = _estimate(self.tx.get(ssrc), seq)     # the sender's ROC: +1 when seq wraps past the last one sent
        self.tx[ssrc] = max(i, self.tx.get(ssrc, i))
        out = pkt[:h] + aes_cm(self.rtp_key, _iv(self.rtp_salt, ssrc, i), pkt[h:])
        return out + self._rtp_tag(out, i >> 16)

    def unprotect_rtp(self, pkt):
        pkt = bytes(pkt)
        body, tag = pkt[:-self.tag_len], pkt[-self.tag_len:]
        h, seq, ssrc = _rtp_header(body)
        win = self.rx.setdefault(ssrc, _Window())
        i = _estimate(win.top, seq)
        win.check(i)
        if not hmac.compare_digest(self._rtp_tag(body, i >> 16), tag):
            raise SrtpError('auth')
        win.accept(i)                # only now: ROC / s_l / window move
        return body[:h] + aes_cm(self.rtp_key, _iv(self.rtp_salt, ssrc, i), body[h:])

    def protect_rtcp(self, pkt):
        pkt = bytes(pkt)
        if len(pkt) < 8:
            raise SrtpError('short')
        ssrc = struct.unpack_from('!I', pkt, 4)[0]
        i = self.rtcp_tx.get(ssrc, 0)
        self.rtcp_tx[ssrc] = (i + 1) & 0x7fffffff
        out = pkt[:8] + aes_cm(self.rtcp_key, _iv(self.rtcp_salt, ssrc, i), pkt[8:]) + \
            struct.pack('!I', 0x80000000 | i)
        return out + hmac.new(self.rtcp_auth, out, hashlib.sha1).digest()[:RTCP_TAG]

    def unprotect_rtcp(self, pkt):
        pkt = bytes(pkt)
        if len(pkt) < 8 + 4 + RTCP_TAG:
            raise SrtpError('short')
        body, tag = pkt[:-RTCP_TAG], pkt[-RTCP_TAG:]
        ssrc, word = struct.unpack_from('!I', pkt, 4)[0], struct.unpack_from('!I', body, len(body) - 4)[0]
        i = word & 0x7fffffff
        win = self.rtcp_rx.setdefault(ssrc, _Window())
        win.check(i)
        if not hmac.compare_digest(hmac.new(self.rtcp_auth, body, hashlib.sha1).digest()[:RTCP_TAG], tag):
            raise SrtpError('auth')
        win.accept(i)
        data = body[8:-4]
        return body[:8] + (aes_cm(self.rtcp_key, _iv(self.rtcp_salt, ssrc, i), data) if word >> 31 else data)


# ---- SDES (RFC 4568) ---------------------------------------------------------------------------------------
def new_key():
    return os.urandom(30)


def sdes_crypto_line(tag, suite, key_salt):
    if suite not in SUITES or len(key_salt) != 30:
        raise SrtpError('bad suite or key for a=crypto')
    return 'a=crypto:%d %s inline:%s' % (tag, suite, base64.b64encode(bytes(key_salt)).decode())


def sdes_parse(line):
    """'[a=crypto:]tag suite inline:key||salt[|lifetime][|mki:len][;inline:...] [session params]'
    -> (tag, suite, key_salt) of its first key; SrtpError on anything else or an MKI."""
    m = re.match(r'(?:a=crypto:)?(\d{1,9})\s+(\S+)\s+inline:([^\s;]+)', line.strip(), re.I)
    if not m:
        raise SrtpError('not an a=crypto line: %r' % line)
    tag, suite, info = int(m.group(1)), m.group(2), m.group(3).split('|')
    if suite not in SUITES:
        raise SrtpError('unsupported suite %s' % suite)
    if any(':' in extra for extra in info[1:]):      # |lifetime is ignored, |MKI:length refused
        raise SrtpError('MKI not supported: %s' % line)
    try:
        key = base64.b64decode(info[0], validate=True)
    except (binascii.Error, ValueError):
        raise SrtpError('bad base64 key %r' % info[0]) from None
    if len(key) != 30:
        raise SrtpError('key||salt is %d bytes, not 30' % len(key))
    return tag, suite, key


# ---- self test -----------------------------------------------------------------------------------------------
SSRC = 0x1234abcd


def _rtp(seq, payload=b'\xd5' * 160, ts=0, cc=0, ext=b''):
    hdr = struct.pack('!BBHII', 0x80 | cc | (0x10 if ext else 0), 8, seq & 0xffff, ts & 0xffffffff, SSRC)
    hdr += b'\x11\x22\x33\x44' * cc + (struct.pack('!HH', 0xbede, len(ext) // 4) + ext if ext else b'')
    return hdr + payload


def _rtcp(n=0):                    # an SR and an SDES CNAME; n varies the contents
    return struct.pack('!BBHIIIIIIBBHI', 0x80, 200, 6, SSRC, 0xe0000000 + n, 0, n * 160, n, n * 160,
                       0x81, 202, 3, SSRC) + b'\x01\x05peer1\x00\x00'


def _attempt(fn):                  # fn()'s value, or the SrtpError it raised
    try:
        return fn()
    except SrtpError as e:
        return e


def _raises(fn, why=None):
    e = _attempt(fn)
    return isinstance(e, SrtpError) and (why is None or e.args[0] == why)


def _flip(pkt, at, bit=1):
    return pkt[:at] + bytes([pkt[at] ^ bit]) + pkt[at + 1:]


def _libsrtp_interop(check):
    """libsrtp2 (what gwd uses) against this module, both ways, through ctypes; skipped without it."""
    try:
        lib = ctypes.CDLL('libsrtp2.so.1')
    except OSError:
        return print('SKIP libsrtp2 interop (libsrtp2.so.1 not loadable)')

    class CryptoPolicy(ctypes.Structure):     # srtp_crypto_policy_t: 6 x 32 bits (two are enums)
        _fields_ = [(f, ctypes.c_int) for f in ('cipher_type', 'cipher_key_len', 'auth_type', 'auth_key_len',
                                                 'auth_tag_len', 'sec_serv')]

    class Policy(ctypes.Structure):           # srtp_policy_t of <srtp2/srtp.h>, libsrtp 2.x
        _fields_ = [('ssrc_type', ctypes.c_int), ('ssrc_value', ctypes.c_uint), ('rtp', CryptoPolicy),
                    ('rtcp', CryptoPolicy), ('key', ctypes.c_char_p), ('keys', ctypes.c_void_p),
                    ('num_master_keys', ctypes.c_ulong), ('deprecated_ekt', ctypes.c_void_p),
                    ('window_size', ctypes.c_ulong), ('allow_repeat_tx', ctypes.c_int),
                    ('enc_xtn_hdr', ctypes.c_void_p), ('enc_xtn_hdr_count', ctypes.c_int), ('next', ctypes.c_void_p)]
    if ctypes.sizeof(ctypes.c_void_p) == 8:   # what gcc's sizeof/offsetof say on x86_64
        check('libsrtp2 srtp_policy_t layout: size 128, rtcp at 32, key at 56, window_size at 88', (ctypes.sizeof(
            Policy), Policy.rtcp.offset, Policy.key.offset, Policy.window_size.offset) == (128, 32, 56, 88))
    vp, pint, pcp = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(CryptoPolicy)
    for fn, args in (('srtp_init', []), ('srtp_create', [ctypes.POINTER(vp), ctypes.POINTER(Policy)]),
                     ('srtp_dealloc', [vp]), ('srtp_protect', [vp, vp, pint]), ('srtp_unprotect', [vp, vp, pint]),
                     ('srtp_protect_rtcp', [vp, vp, pint]), ('srtp_unprotect_rtcp', [vp, vp, pint]),
                     ('srtp_crypto_policy_set_rtp_default', [pcp]),
                     ('srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32', [pcp])):
        getattr(lib, fn).restype, getattr(lib, fn).argtypes = ctypes.c_int, args
    if lib.srtp_init() != 0:
        return check('libsrtp2 srtp_init', False)

    def session(key, suite, ssrc_type):       # ssrc_type 3 = ssrc_any_outbound (protect), 2 = ssrc_any_inbound
        p, s = Policy(), vp()
        (lib.srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32 if SUITES[suite] == 4 else
         lib.srtp_crypto_policy_set_rtp_default)(ctypes.byref(p.rtp))
        lib.srtp_crypto_policy_set_rtp_default(ctypes.byref(p.rtcp))   # SRTCP: the 80-bit tag either way
        p.ssrc_type, p.key, p.window_size = ssrc_type, key, 128
        if lib.srtp_create(ctypes.byref(s), ctypes.byref(p)) != 0:
            raise SrtpError('srtp_create failed')
        return s

    def call(fn, s, pkt):                     # they may write SRTP_MAX_TRAILER_LEN (144) (+ 4 for SRTCP) more
        buf, n = ctypes.create_string_buffer(pkt, len(pkt) + 256), ctypes.c_int(len(pkt))
        return fn(s, buf, ctypes.byref(n)), buf.raw[:n.value]

    for suite, tl in SUITES.items():
        key = new_key()
        ltx, lrx, otx, orx = session(key, suite, 3), session(key, suite, 2), Srtp(key, suite), Srtp(key, suite)
        same = ok_a = ok_b = True
        for k in range(100):                  # CSRCs and header extensions, across a seq wrap
            p = _rtp(65500 + k, os.urandom(20 + k % 200), 160 * k, k % 3, b'\x10\xaa\x00\x00' if k % 5 == 0 else b'')
            (rc, lp), op = call(lib.srtp_protect, ltx, p), otx.protect_rtp(p)
            same &= rc == 0 and lp == op and len(op) == len(p) + tl
            ok_a &= _attempt(lambda: orx.unprotect_rtp(lp)) == p
            ok_b &= call(lib.srtp_unprotect, lrx, op) == (0, p)
        check('libsrtp2 %s RTP: byte-identical SRTP across a seq wrap (ROC 0 -> 1)' % suite, same)
        check('libsrtp2 %s RTP: libsrtp2 protects -> we unprotect' % suite, ok_a and orx.rx[SSRC].top >> 16 == 1)
        check('libsrtp2 %s RTP: we protect -> libsrtp2 unprotects' % suite, ok_b)
        check('libsrtp2 %s RTP: a flipped bit is refused by libsrtp2 (7, srtp_err_status_auth_fail)' % suite,
              call(lib.srtp_unprotect, lrx, _flip(call(lib.srtp_protect, ltx, _rtp(99))[1], 20))[0] == 7)
        ok_a = ok_b = True
        for k in range(20):
            r = _rtcp(k)
            rc, lp = call(lib.srtp_protect_rtcp, ltx, r)
            ok_a &= rc == 0 and len(lp) == len(r) + 14 and _attempt(lambda: orx.unprotect_rtcp(lp)) == r
            ok_b &= call(lib.srtp_unprotect_rtcp, lrx, otx.protect_rtcp(r)) == (0, r)
            first = first if k else struct.unpack_from('!I', lp, len(lp) - 14)[0] & 0x7fffffff
        check('libsrtp2 %s SRTCP: libsrtp2 protects (its first index %d) -> we unprotect' % (suite, first), ok_a)
        check('libsrtp2 %s SRTCP: we protect (our first index 0) -> libsrtp2 unprotects' % suite, ok_b)
        for ctx in (ltx, lrx):
            lib.srtp_dealloc(ctx)


def _own_checks(check):
    # RFC 3711 Appendix B.2: AES-CM keystream, key 2B7E..., counter = the (already shifted) salt
    ks = aes_cm(bytes.fromhex('2B7E151628AED2A6ABF7158809CF4F3C'),
                bytes.fromhex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000'), bytes(1044512))
    check('RFC 3711 B.2 AES-CM keystream, first three blocks', ks[:48] == bytes.fromhex(
        'E03EAD0935C95E80E166B16DD92B4EB4' 'D23513162B02D0F72A43A2FE4A5F97AB' '41E95B3BB0A2E8DD477901E4FCA894C0'))
    check('RFC 3711 B.2 AES-CM keystream, last three blocks (counter ...FEFF..FF01)', ks[-48:] == bytes.fromhex(
        'EC8CDF7398607CB0F2D21675EA9EA1E4' '362B7C3C6773516318A077D7FC5073AE' '6A2CC3787889374FBEB4C81B17BA6C44'))
    check('RFC 3711 4.1.1 IV: salt F0..FD, SSRC 0, index 0 -> F0F1...FCFD0000', _iv(bytes.fromhex(
        'F0F1F2F3F4F5F6F7F8F9FAFBFCFD'), 0, 0) == bytes.fromhex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000'))
    # RFC 3711 Appendix B.3: key derivation, kdr 0
    mk, ms = bytes.fromhex('E1F97A0D3E018BE0D64FA32C06DE4139'), bytes.fromhex('0EC675AD498AFEEBB6960B3AABE6')
    check('RFC 3711 B.3 cipher key', derive(mk, ms, 0, 16) == bytes.fromhex('C61E7A93744F39EE10734AFE3FF7A087'))
    check('RFC 3711 B.3 cipher salt', derive(mk, ms, 2, 14) == bytes.fromhex('30CBBC08863D8C85D49DB34A9AE1'))
    check('RFC 3711 B.3 auth key (all 94 octets)', derive(mk, ms, 1, 94) == bytes.fromhex(
        'CEBE321F6FF7716B6FD4AB49AF256A15' '6D38BAA48F0A0ACF3C34E2359E6CDBCE' 'E049646C43D9327AD175578EF7227098'
        '6371C10C9A369AC2F94A8C5FBCDDDC25' '6D6E919A48B610EF17C2041E47403576' '6B68642C59BBFC2F34DB60DBDFB2'))
    s = Srtp(mk + ms)
    check('Srtp() session keys are the B.3 ones (20-byte auth key)', (s.rtp_key, s.rtp_salt, s.rtp_auth) ==
          (derive(mk, ms, 0, 16), derive(mk, ms, 2, 14), derive(mk, ms, 1, 94)[:20]))

    w = _Window()
    w.accept(100), w.accept(164)
    check('replay window: 63 behind the top and not seen is accepted, 64 behind is too old',
          _attempt(lambda: w.check(101)) is None and _raises(lambda: w.check(100), 'replay'))
    for suite, tl in SUITES.items():          # round trips
        key = new_key()
        tx, rx, n, ok = Srtp(key, suite), Srtp(key, suite), 70000, True
        for k in range(n):
            p = _rtp(60000 + k, struct.pack('!I', k) * 5, 160 * k)
            sp = tx.protect_rtp(p)
            ok = len(sp) == len(p) + tl and sp[12:32] != p[12:32] and _attempt(lambda: rx.unprotect_rtp(sp)) == p \
                and rx.rx[SSRC].top == 60000 + k
            if not ok:
                break
        check('%s: %d RTP packets round trip, %d-byte tags, payload not in clear, the index in step'
              % (suite, n, tl), ok)
        roc = (tx.tx[SSRC] >> 16, rx.rx[SSRC].top >> 16)
        check('%s: ROC 0 -> 1 across the seq wrap (sender, receiver: %s)' % (suite, roc), roc == (1, 1))
        sp, sp2 = tx.protect_rtp(_rtp(64464, b'late')), tx.protect_rtp(_rtp(64465))  # 60000 + 70000 - 65536
        check('%s: out of order within the window is accepted' % suite,
              _attempt(lambda: rx.unprotect_rtp(sp2)) == _rtp(64465) and rx.unprotect_rtp(sp)[12:] == b'late')
        check('%s: a replayed packet -> replay' % suite, _raises(lambda: rx.unprotect_rtp(sp), 'replay'))
        sp = tx.protect_rtp(_rtp(64470))
        check('%s: a flipped payload bit -> auth' % suite, _raises(lambda: rx.unprotect_rtp(_flip(sp, 30)), 'auth'))
        check('%s: that packet unflipped is then accepted (no state moved)' % suite,
              _attempt(lambda: rx.unprotect_rtp(sp)) == _rtp(64470))
        check('%s: a wrong key -> auth' % suite,
              _raises(lambda: Srtp(new_key(), suite).unprotect_rtp(tx.protect_rtp(_rtp(64471))), 'auth'))
        check('%s: too short -> short' % suite, _raises(lambda: rx.unprotect_rtp(b'\x80' * (11 + tl)), 'short'))
        rtx, rrx, ok = Srtp(key, suite), Srtp(key, suite), True
        for k in range(200):
            r = _rtcp(k)
            sr = rtx.protect_rtcp(r)
            ok &= len(sr) == len(r) + 14 and sr[-14:-10] == struct.pack('!I', 0x80000000 | k) and \
                sr[8:len(r)] != r[8:] and _attempt(lambda: rrx.unprotect_rtcp(sr)) == r
        check('%s: 200 SRTCP packets round trip, E flag and index 0.., 10-byte tag' % suite, ok)
        check('%s: SRTCP replay -> replay' % suite, _raises(lambda: rrx.unprotect_rtcp(sr), 'replay'))
        check('%s: SRTCP flipped bit -> auth' % suite,
              _raises(lambda: rrx.unprotect_rtcp(_flip(rtx.protect_rtcp(_rtcp()), 12)), 'auth'))
        check('%s: SRTCP wrong key -> auth' % suite,
              _raises(lambda: Srtp(new_key(), suite).unprotect_rtcp(rtx.protect_rtcp(_rtcp())), 'auth'))

    key = new_key()                           # SDES
    line, b64 = sdes_crypto_line(1, 'AES_CM_128_HMAC_SHA1_80', key), base64.b64encode(key).decode()
    check('sdes_crypto_line: %s' % line, line == 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:' + b64)
    check('sdes_parse round trip, with and without a=crypto:',
          sdes_parse(line) == sdes_parse(line[9:] + '\r\n') == (1, 'AES_CM_128_HMAC_SHA1_80', key))
    check('sdes_parse accepts |2^20 and a session parameter', sdes_parse(
        '7 AES_CM_128_HMAC_SHA1_32 inline:%s|2^20 KDR=0' % b64) == (7, 'AES_CM_128_HMAC_SHA1_32', key))
    for what, v in (('an MKI', b64 + '|2^20|1:4'), ('bad base64', b64[:-2] + '!!'),
                    ('a 29-byte key', base64.b64encode(key[:29]).decode())):
        check('sdes_parse refuses %s' % what, _raises(lambda: sdes_parse('1 AES_CM_128_HMAC_SHA1_80 inline:' + v)))


def selftest():
    failed = []

    def check(what, ok):
        print(('ok: ' if ok else 'FAIL: ') + what, flush=True)
        failed.extend([] if ok else [what])
    for part in (_own_checks, _libsrtp_interop):
        try:
            part(check)
        except Exception as e:                # a crash is one more failed check
            check('%s ran to its end: %r' % (part.__name__, e), False)
    print('srtp selftest: %d failed' % len(failed))
    return 1 if failed else 0


if __name__ == '__main__':
    if sys.argv[1:] == ['--selftest']:
        sys.exit(selftest())
    print(__doc__)
