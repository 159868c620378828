#!/usr/bin/env python3
"""srtpkit.py - the test peers' own SRTP (RFC 3711) and SDES a=crypto lines (RFC 4568), written here from
the RFCs so that a test of gwd (which uses libsrtp2) is checked by an independent implementation: two
wrongs cannot agree.  AES-128 comes from OpenSSL's libcrypto through ctypes (Python has no AES), HMAC-SHA1
from the standard library.

Suites AES_CM_128_HMAC_SHA1_80 and _32 (RFC 4568 6.2); key derivation rate 0; no MKI.
  Srtp(key_salt, suite): protect_rtp / unprotect_rtp / protect_rtcp / unprotect_rtcp (SrtpError 'auth',
  'replay', 'short'); sdes_crypto_line, sdes_parse, new_key.
`python3 srtpkit.py --selftest` checks RFC 3711 Appendix B.2 and B.3 and round trips; exit 1 on a failure.
"""
import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import os
import re
import sys

SUITES = {'AES_CM_128_HMAC_SHA1_80': 10, 'AES_CM_128_HMAC_SHA1_32': 4}
RTCP_TAG = 10       # SRTCP keeps the 80-bit tag with both suites (RFC 4568 6.2.2)
WINDOW = 64


class SrtpError(Exception):
    pass


# ---- AES-128 in counter mode, from libcrypto ----

_lib = ctypes.CDLL(ctypes.util.find_library('crypto') or 'libcrypto.so.3')
_lib.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
_lib.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]
_lib.EVP_aes_128_ctr.restype = ctypes.c_void_p
_lib.EVP_EncryptInit_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
                                    ctypes.c_char_p]
_lib.EVP_EncryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int),
                                   ctypes.c_char_p, ctypes.c_int]


def aes_ctr(key, iv, data):
    """data XOR the AES-CTR key stream from counter block iv (the whole 128-bit block counts up)"""
    if not data:
        return b''
    ctx = _lib.EVP_CIPHER_CTX_new()
    try:
        out, n = ctypes.create_string_buffer(len(data) + 16), ctypes.c_int(0)
        if _lib.EVP_EncryptInit_ex(ctx, _lib.EVP_aes_128_ctr(), None, key, iv) != 1 or \
                _lib.EVP_EncryptUpdate(ctx, out, ctypes.byref(n), data, len(data)) != 1:
            raise SrtpError('libcrypto')
        return out.raw[:n.value]
    finally:
        _lib.EVP_CIPHER_CTX_free(ctx)


def derive(master_key, master_salt, label, n):
    """RFC 3711 4.3.1 with kdr 0: x = (label << 48) XOR salt, the first n octets of AES-CM from x * 2^16"""
    x = int.from_bytes(master_salt, 'big') ^ (label << 48)
    return aes_ctr(master_key, (x << 16).to_bytes(16, 'big'), bytes(n))


def _iv(salt, ssrc, index):
    """RFC 3711 4.1.1: (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)"""
    return ((int.from_bytes(salt, 'big') << 16) ^ (ssrc << 64) ^ (index << 16)).to_bytes(16, 'big')


class _Replay:
    """a sliding window of WINDOW indices (RFC 3711 3.3.2)"""

    def __init__(self):
        self.top, self.bits = -1, 0

    def check(self, i):
        if i > self.top:
            return True
        d = self.top - i
        if d >= WINDOW or self.bits >> d & 1:
            return False
        return True

    def add(self, i):
        if i > self.top:
            self.bits = ((self.bits << (i - self.top)) | 1) & ((1 << WINDOW) - 1) if self.top >= 0 else 1
            self.top = i
        else:
            self.bits |= 1 << (self.top - i)


class Srtp:
    """one direction's context of a master key (30 octets: key then salt)"""

    def __init__(self, key_salt, suite='AES_CM_128_HMAC_SHA1_80'):
        if len(key_salt) != 30 or suite not in SUITES:
            raise SrtpError('key')
        mk, ms = key_salt[:16], key_salt[16:]
        self.tag = SUITES[suite]
        self.k_e, self.k_a, self.k_s = derive(mk, ms, 0, 16), derive(mk, ms, 1, 20), derive(mk, ms, 2, 14)
        self.kc_e, self.kc_a, self.kc_s = derive(mk, ms, 3, 16), derive(mk, ms, 4, 20), derive(mk, ms, 5, 14)
        self.tx = {}            # SSRC -> [ROC, last seq] we sent
        self.rx = {}            # SSRC -> [ROC, s_l, _Replay]
        self.rtcp_index = 0
        self.rtcp_rx = {}       # SSRC -> _Replay

    @staticmethod
    def _header_len(pkt):
        if len(pkt) < 12 or pkt[0] >> 6 != 2:
            raise SrtpError('short')
        n = 12 + 4 * (pkt[0] & 0x0f)
        if pkt[0] & 0x10:
            if len(pkt) < n + 4:
                raise SrtpError('short')
            n += 4 + 4 * int.from_bytes(pkt[n + 2:n + 4], 'big')
        if len(pkt) < n:
            raise SrtpError('short')
        return n

    def protect_rtp(self, pkt):
        h = self._header_len(pkt)
        seq, ssrc = int.from_bytes(pkt[2:4], 'big'), int.from_bytes(pkt[8:12], 'big')
        st = self.tx.setdefault(ssrc, [0, seq])
        if seq < st[1] and st[1] - seq > 32768:
            st[0] += 1          # the sequence number wrapped
        st[1] = seq
        index = (st[0] << 16) | seq
        out = pkt[:h] + aes_ctr(self.k_e, _iv(self.k_s, ssrc, index), pkt[h:])
        return out + hmac.new(self.k_a, out + st[0].to_bytes(4, 'big'), hashlib.sha1).digest()[:self.tag]

    def unprotect_rtp(self, pkt):
        if len(pkt) < 12 + self.tag:
            raise SrtpError('short')
        body, tag = pkt[:-self.tag], pkt[-self.tag:]
        h = self._header_len(body)
        seq, ssrc = int.from_bytes(body[2:4], 'big'), int.from_bytes(body[8:12], 'big')
        st = self.rx.get(ssrc) or [0, seq, _Replay()]
        roc, s_l = st[0], st[1]
        # RFC 3711 3.3.1 / Appendix A: the ROC this packet was sent with
        if s_l < 32768:
            v = roc - 1 if seq - s_l > 32768 else roc
        else:
            v = roc + 1 if s_l - 32768 > seq else roc
        if v < 0:
            raise SrtpError('replay')
        mac = hmac.new(self.k_a, body + (v & 0xffffffff).to_bytes(4, 'big'), hashlib.sha1).digest()[:self.tag]
        if not hmac.compare_digest(mac, tag):
            raise SrtpError('auth')
        index = (v << 16) | seq
        if not st[2].check(index):
            raise SrtpError('replay')
        st[2].add(index)
        if v > roc or (v == roc and seq > s_l) or ssrc not in self.rx:
            st[0], st[1] = v, seq
        self.rx[ssrc] = st
        return body[:h] + aes_ctr(self.k_e, _iv(self.k_s, ssrc, index), body[h:])

    def protect_rtcp(self, pkt):
        if len(pkt) < 8:
            raise SrtpError('short')
        ssrc, i = int.from_bytes(pkt[4:8], 'big'), self.rtcp_index
        self.rtcp_index = (self.rtcp_index + 1) & 0x7fffffff
        out = pkt[:8] + aes_ctr(self.kc_e, _iv(self.kc_s, ssrc, i), pkt[8:]) + (0x80000000 | i).to_bytes(4, 'big')
        return out + hmac.new(self.kc_a, out, hashlib.sha1).digest()[:RTCP_TAG]

    def unprotect_rtcp(self, pkt):
        if len(pkt) < 8 + 4 + RTCP_TAG:
            raise SrtpError('short')
        body, tag = pkt[:-RTCP_TAG], pkt[-RTCP_TAG:]
        if not hmac.compare_digest(hmac.new(self.kc_a, body, hashlib.sha1).digest()[:RTCP_TAG], tag):
            raise SrtpError('auth')
        word = int.from_bytes(body[-4:], 'big')
        e, i, ssrc = word >> 31, word & 0x7fffffff, int.from_bytes(body[4:8], 'big')
        win = self.rtcp_rx.setdefault(ssrc, _Replay())
        if not win.check(i):
            raise SrtpError('replay')
        win.add(i)
        data = body[:-4]
        return data[:8] + (aes_ctr(self.kc_e, _iv(self.kc_s, ssrc, i), data[8:]) if e else data[8:])


# ---- SDES (RFC 4568) ----

def new_key():
    return os.urandom(30)


def sdes_crypto_line(tag, suite, key_salt):
    return 'a=crypto:%d %s inline:%s' % (tag, suite, base64.b64encode(key_salt).decode())


def sdes_parse(line):
    """(tag, suite, key_salt) of an a=crypto line or value"""
    m = re.match(r'^(?:a=crypto:)?(\d{1,9}) (\S+) inline:([A-Za-z0-9+/=]+)((?:\|[^|\s]+)*)\s*$', line.strip())
    if not m:
        raise SrtpError('a=crypto: %s' % line)
    if any(':' in p for p in m.group(4).split('|')[1:]):
        raise SrtpError('MKI not supported')
    try:
        key = base64.b64decode(m.group(3), validate=True)
    except ValueError:
        raise SrtpError('base64')
    if len(key) != 30:
        raise SrtpError('key of %d octets' % len(key))
    return int(m.group(1)), m.group(2), key


# ---- self-test ----

def _selftest():
    fails = []

    def ok(cond, what):
        print(('ok: ' if cond else 'FAIL: ') + what)
        if not cond:
            fails.append(what)

    # RFC 3711 B.2: AES-CM key stream, session key and salt given, SSRC and index 0
    ks = aes_ctr(bytes.fromhex('2B7E151628AED2A6ABF7158809CF4F3C'), _iv(bytes.fromhex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'), 0, 0),
                 bytes(65282 * 16))
    ok(ks[:48].hex().upper() == 'E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB'
       '41E95B3BB0A2E8DD477901E4FCA894C0' and ks[-48:].hex().upper() == 'EC8CDF7398607CB0F2D21675EA9EA1E4'
       '362B7C3C6773516318A077D7FC5073AE6A2CC3787889374FBEB4C81B17BA6C44',
       'RFC 3711 B.2: AES-CM key stream, first and last three blocks of the 65282')
    # RFC 3711 B.3: key derivation
    mk, ms = bytes.fromhex('E1F97A0D3E018BE0D64FA32C06DE4139'), bytes.fromhex('0EC675AD498AFEEBB6960B3AABE6')
    ok(derive(mk, ms, 0, 16).hex().upper() == 'C61E7A93744F39EE10734AFE3FF7A087' and
       derive(mk, ms, 2, 14).hex().upper() == '30CBBC08863D8C85D49DB34A9AE1' and
       derive(mk, ms, 1, 20).hex().upper() == 'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4',
       'RFC 3711 B.3: cipher key, cipher salt, authentication key')
    for suite, tag in SUITES.items():
        key = new_key()
        a, b = Srtp(key, suite), Srtp(key, suite)
        good = True
        for k in range(60000):
            seq = (65000 + k) & 0xffff
            pkt = bytes([0x80, 0, seq >> 8, seq & 0xff]) + (k * 160).to_bytes(4, 'big') + b'\x11\x22\x33\x44' + \
                bytes([k & 0xff]) * 20
            p = a.protect_rtp(pkt)
            good &= len(p) == len(pkt) + tag and p[12:] != pkt[12:] + p[-tag:]
            good &= b.unprotect_rtp(p) == pkt
            if k == 5:
                old = p
        ok(good and b.rx[0x11223344][0] == 1, '%s: 60000 packets across a wrap (ROC 0 -> 1), each back' % suite)
        try:
            b.unprotect_rtp(old)
            ok(False, '%s: an old packet is refused' % suite)
        except SrtpError as e:
            ok(str(e) in ('replay', 'auth'), '%s: an old packet is refused (%s)' % (suite, e))
        p = bytearray(a.protect_rtp(bytes([0x80, 0, 0x20, 0]) + bytes(8) + b'xy' * 10))
        p[14] ^= 1
        try:
            b.unprotect_rtp(bytes(p))
            ok(False, '%s: a flipped bit fails authentication' % suite)
        except SrtpError as e:
            ok(str(e) == 'auth', '%s: a flipped bit fails authentication' % suite)
        p = Srtp(new_key(), suite).protect_rtp(bytes([0x80, 0, 0x20, 1]) + bytes(8) + b'z' * 20)
        try:
            b.unprotect_rtp(p)
            ok(False, '%s: another key fails authentication' % suite)
        except SrtpError as e:
            ok(str(e) == 'auth', '%s: another key fails authentication' % suite)
        rr = bytes([0x81, 201, 0, 7]) + b'\x55\x66\x77\x88' + bytes(range(24))
        p = a.protect_rtcp(rr)
        ok(len(p) == 32 + 14 and p[:8] == rr[:8] and p[8:32] != rr[8:] and b.unprotect_rtcp(p) == rr,
           '%s: SRTCP round trip, E flag and index, 10-octet tag' % suite)
        try:
            b.unprotect_rtcp(p)
            ok(False, '%s: SRTCP replay refused' % suite)
        except SrtpError as e:
            ok(str(e) == 'replay', '%s: SRTCP replay refused' % suite)
    line = sdes_crypto_line(3, 'AES_CM_128_HMAC_SHA1_32', mk + ms)
    ok(sdes_parse(line) == (3, 'AES_CM_128_HMAC_SHA1_32', mk + ms) and
       sdes_parse('1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20')[0] == 1,
       'a=crypto lines written and read')
    try:
        sdes_parse('1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4')
        ok(False, 'an MKI is refused')
    except SrtpError:
        ok(True, 'an MKI is refused')
    print('srtpkit: %d failed' % len(fails))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(_selftest() if sys.argv[1:] == ['--selftest'] else 2)
