#!/usr/bin/env python3
"""media_peer.py - gwd's media path end to end: SIP caller -> gwd -> TDM loopback pair (the B-channels) ->
gwd -> SIP UM, with RTP sent, received and measured here.

Usage: media_peer.py GW_PORT CALLER_PORT UM_PORT RTP_BASE [CASE...]

Plays both the caller (UDP) and the UM (UDP).  Its G.711 coder, tone generator, DTMF detector and
measurements are its own (nothing of media/ or gw/): two wrongs cannot agree.  gwd routes
+1555001xxxx over the A-law ISUP pair and +1555003xxxx over the u-law NI2 pair to the UM; calls to
...9xxx reach a UM peer whose dtmf = inband.  Cases:
  tone      1004 Hz at -10 dBm0 each way, both span laws x both codecs (the UM answers with the other one):
            frequency +-2 Hz and level +-1 dB at the far end; sequence numbers without gaps, timestamps
            in steps of 160, packets every 20 ms; the one-way latency through gwd and TDM is printed
  speech    5 s of a speech-like signal: no gap in the stream, no DTMF digit made of it (talk-off)
  dtmf      RFC 4733 digits 0-9 * # from the caller: tones on the B-channel, detected by the far leg,
            RFC 4733 events at the UM with the same digits and about the same durations; toward a UM
            with dtmf = inband the tones arrive in the audio instead
  early     the UM sends 183 with SDP and a tone before answering: the caller hears it before the 200
  hold      the caller puts the call on hold (re-INVITE a=sendonly): gwd stops sending to it; resume
  late      an INVITE without SDP: gwd's 200 offers, the ACK answers; the tone both ways
  hostile   garbage, malformed RTP and events at gwd's port from the caller's address and from a stranger:
            the audio goes on, nothing follows the stranger
  wire      what gwd sends, decoded by tshark: RTP, RFC 4733 events with their end bits, RTCP SR with its
            report block and CNAME
  timeout   the caller stops sending RTP on an answered call: gwd releases it (BYE, Q.850 cause 41)
  dahdi     (the qemu tier) the tone over the ISUP and QSIG pairs of conf/dahdi/gateway.conf
  ptime30   (a gwd with ptime = 30) its SDP and 30 ms packets; the tone both ways
  srtp      (MEDIA_TLS=gwtls:um-required:um-optional:gwtcp, MEDIA_CERTS) SRTP with SDES keys, this script's own
            RFC 3711 (tests/gw/srtp.py): RTP/SAVP over TLS both legs (32- and 80-bit tags), the tone through,
            every packet authenticated and the payload not in clear, SRTCP, the key kept on a re-INVITE; best
            effort (RTP/AVP + a=crypto) answered by a plain UM; 488 for keys over UDP and TCP, keys of a plain
            offer over UDP ignored; srtp = required and a plain answer: cause 88
  bench     (make bench only) BENCH_CALLS concurrent tone calls for BENCH_SECONDS: loss, jitter, gwd CPU
Prints "ok: ..." / "FAIL: ..." and "media_peer: N passed, N failed".  Every wait is bounded.
"""
import math
import os
import random
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sipmsg import Ep, StreamEp, Tally, check, token  # noqa: E402
from srtp import Srtp, SrtpError, new_key, sdes_crypto_line, sdes_parse  # noqa: E402

GW = ('127.0.0.1', int(sys.argv[1]))
CALLER_PORT, UM_PORT, RTP_BASE = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
CASES = sys.argv[5:] or ['tone', 'speech', 'dtmf', 'early', 'hold', 'late', 'hostile', 'wire', 'timeout']
rtp_next = RTP_BASE


# ---- G.711, written here from ITU-T G.711 (not from the gateway's code) ----

def ulaw_decode(c):
    c = ~c & 0xff
    mag = (((c & 0x0f) << 3) + 0x84) << ((c >> 4) & 7)
    return (0x84 - mag) if c & 0x80 else (mag - 0x84)


def alaw_decode(c):
    c ^= 0x55
    seg, mag = (c >> 4) & 7, ((c & 0x0f) << 4) + 8
    if seg:
        mag = (mag + 0x100) << (seg - 1)
    return mag if c & 0x80 else -mag


def ulaw_encode(x):
    sign = 0x80 if x < 0 else 0
    x = min(abs(x), 32635) + 0x84
    seg = max(0, x.bit_length() - 8)
    return ~(sign | (seg << 4) | ((x >> (seg + 3)) & 0x0f)) & 0xff


def alaw_encode(x):
    sign = 0x80 if x >= 0 else 0
    x = min(abs(x) if x >= 0 else -x - 1, 32767) >> 3
    if x < 32:
        code = x >> 1
    else:
        seg = x.bit_length() - 5
        code = (seg << 4) | ((x >> seg) & 0x0f)
    return (sign | code) ^ 0x55


DEC = {0: [ulaw_decode(c) for c in range(256)], 8: [alaw_decode(c) for c in range(256)]}
# the 16-bit RMS of a 0 dBm0 sine: the largest sine is +3.17 dBm0 (u-law) / +3.14 dBm0 (A-law)
DBM0 = {0: 32636 / 10 ** (3.17 / 20) / math.sqrt(2), 8: 32768 / 10 ** (3.14 / 20) / math.sqrt(2)}


def encode(pt, samples):
    f = ulaw_encode if pt == 0 else alaw_encode
    return bytes(f(int(round(s))) for s in samples)


# ---- signals ----

class Tone:
    def __init__(self, hz, dbm0, codec, start=0.0):
        self.step, self.amp, self.n, self.start = 2 * math.pi * hz / 8000, DBM0[codec] * math.sqrt(2) * 10 ** (dbm0 / 20), 0, start

    def next(self, n):
        out = []
        for _ in range(n):
            t = self.n / 8000.0
            out.append(self.amp * math.sin(self.step * self.n) if t >= self.start else 0.0)
            self.n += 1
        return out


class Speech:
    """voiced harmonics on a wandering 100-250 Hz pitch, formant-like weights, syllables and pauses"""

    def __init__(self, codec):
        self.rng, self.n, self.ph, self.ref = random.Random(7), 0, 0.0, DBM0[codec]

    def next(self, n):
        out = []
        for _ in range(n):
            t = self.n / 8000.0
            f0 = 170 + 60 * math.sin(2 * math.pi * 0.7 * t) + 20 * math.sin(2 * math.pi * 3.1 * t)
            self.ph += 2 * math.pi * f0 / 8000
            env = max(0.0, math.sin(2 * math.pi * 2.3 * t)) ** 0.5
            v = sum(math.sin(h * self.ph) * (1.0 / h) * (1.5 if 500 < h * f0 < 900 or 1100 < h * f0 < 1500 else 1.0)
                    for h in range(1, 20))
            out.append(self.ref * 0.5 * env * v + self.rng.uniform(-300, 300))
            self.n += 1
        return out


# ---- RTP endpoint ----

class Rtp:
    def __init__(self):
        global rtp_next
        self.port = rtp_next
        rtp_next += 2
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(('127.0.0.1', self.port))
        self.s.settimeout(0.05)
        self.c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)     # RTCP
        self.c.bind(('127.0.0.1', self.port + 1))
        self.c.settimeout(0.05)
        self.rtcp = []          # (time, source address, datagram)
        self.peer, self.pt, self.te = None, 0, 101
        self.src, self.events_out = None, []     # audio source; RFC 4733 digits to send: (digit, on_ms, off_ms)
        self.rx, self.stop, self.sending = [], False, True
        # SRTP (tests/gw/srtp.py, this script's own RFC 3711): contexts for what we send and receive;
        # keyed says the far end's key is due (packets before it are only kept raw)
        self.tx_srtp = self.rx_srtp = None
        self.keyed, self.auth_fail, self.rtcp_plain = False, 0, []
        self.seq, self.ts, self.ssrc = random.getrandbits(16), random.getrandbits(32), random.getrandbits(32)
        self.sent_onset = None
        self.raw = []           # (time, source address, datagram) of every RTP datagram
        self.threads = [threading.Thread(target=self.recv_loop, daemon=True),
                        threading.Thread(target=self.send_loop, daemon=True),
                        threading.Thread(target=self.rtcp_loop, daemon=True)]
        for th in self.threads:
            th.start()

    def sdp(self, pts, direction='sendrecv', profile='RTP/AVP', crypto=()):
        fmts = ' '.join(str(p) for p in pts)
        return ('v=0\r\no=- %d 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d %s %s 101\r\n'
                'a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n'
                'a=fmtp:101 0-15\r\na=ptime:20\r\n%sa=%s\r\n' % (self.port, self.port, profile, fmts,
                                                           ''.join(c + '\r\n' for c in crypto), direction))

    def out(self, pkt):
        self.s.sendto(self.tx_srtp.protect_rtp(pkt) if self.tx_srtp else pkt, self.peer)

    def packet(self, pt, payload, marker=0, ts=None):
        hdr = bytes([0x80, (marker << 7) | pt, self.seq >> 8, self.seq & 0xff]) + \
            (self.ts if ts is None else ts).to_bytes(4, 'big') + self.ssrc.to_bytes(4, 'big')
        self.seq = (self.seq + 1) & 0xffff
        return hdr + payload

    def send_loop(self):
        t0, k, first = time.monotonic(), 0, 1
        ev = None   # the digit being sent: [code, ts, elapsed, on, off, ends, pause]
        while not self.stop:
            k += 1
            delay = t0 + k * 0.020 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if not self.peer or not self.sending:
                continue
            if ev is None and self.events_out and self.src is None:
                d, on, off = self.events_out.pop(0)
                ev = ['0123456789*#ABCD'.index(d), self.ts, 0, on * 8, off * 8, 0, 0]
            if ev is not None and ev[5] < 3:
                self.out(self.event_packet(ev))
                self.ts = (self.ts + 160) & 0xffffffff
                continue
            if ev is not None:      # the pause after a digit: silence (audio packets) for off ms
                ev[6] += 160
                if ev[6] >= ev[4] - 3 * 160:
                    ev = None
            samples = self.src.next(160) if self.src else [0.0] * 160
            if self.sent_onset is None and max(abs(x) for x in samples) > 1000:
                self.sent_onset = time.time()
            self.out(self.packet(self.pt, encode(self.pt, samples), first))
            first = 0
            self.ts = (self.ts + 160) & 0xffffffff

    def event_packet(self, ev):
        """RFC 4733: the first with the marker bit, the duration growing every 20 ms, three with E at the end"""
        code, ets, elapsed, on = ev[0], ev[1], ev[2], ev[3]
        marker = 1 if elapsed == 0 else 0
        if elapsed < on:
            ev[2] = elapsed = min(on, elapsed + 160)
        else:
            ev[5] += 1
        e = 0x80 if ev[5] else 0
        if elapsed >= on and not ev[5]:
            ev[5] = 1
            e = 0x80
        return self.packet(self.te, bytes([code, e | 10, elapsed >> 8, elapsed & 0xff]), marker, ts=ets)

    def datagrams(self, sock):
        """(source address, datagram) of what sock receives until close()"""
        while not self.stop:
            try:
                data, src = sock.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            yield src, data

    def rtcp_loop(self):
        for src, data in self.datagrams(self.c):
            self.rtcp.append((time.time(), src, data))
            if self.rx_srtp:
                try:
                    self.rtcp_plain.append(self.rx_srtp.unprotect_rtcp(data))
                except SrtpError:
                    self.auth_fail += 1

    def recv_loop(self):
        for src, data in self.datagrams(self.s):
            self.raw.append((time.time(), src, data))
            if self.keyed and not self.rx_srtp:
                continue
            if self.rx_srtp:
                try:
                    data = self.rx_srtp.unprotect_rtp(data)
                except SrtpError:
                    self.auth_fail += 1
                    continue
            if len(data) >= 12 and data[0] >> 6 == 2:
                self.rx.append((time.time(), int.from_bytes(data[2:4], 'big'), int.from_bytes(data[4:8], 'big'),
                                data[1] & 0x7f, data[1] >> 7, data[12:]))

    def close(self):
        self.stop = True
        for th in self.threads:
            th.join(2)
        self.s.close()
        self.c.close()

    # ---- what arrived ----
    def audio(self, pt):
        pk = sorted((p for p in self.rx if p[3] == pt), key=lambda p: p[0])
        return [DEC[pt][b] for p in pk for b in p[5]], pk

    def events(self):
        """RFC 4733 events, one per key press: (digit, ms)"""
        out, seen = [], {}
        for p in self.rx:
            if p[3] != self.te or len(p[5]) < 4:
                continue
            ts, code, end, dur = p[2], p[5][0], p[5][1] & 0x80, p[5][2] << 8 | p[5][3]
            if ts not in seen:
                seen[ts] = [code, dur, bool(end)]
                out.append(ts)
            else:
                seen[ts][1] = max(seen[ts][1], dur)
                seen[ts][2] |= bool(end)
        return [('0123456789*#ABCD'[seen[t][0]], seen[t][1] // 8, seen[t][2]) for t in out]


def measure_window(samples):
    xs = []
    for i in range(1, len(samples)):
        a, b = samples[i - 1], samples[i]
        if a < 0 <= b:
            xs.append(i - 1 + (-a) / (b - a))
    hz = (len(xs) - 1) / ((xs[-1] - xs[0]) / 8000.0) if len(xs) > 2 else 0.0
    rms = math.sqrt(sum(x * x for x in samples) / len(samples))
    return hz, 20 * math.log10(max(rms, 1e-9) / DBM0[0])


def measure(samples):
    """frequency (zero crossings, interpolated) and level (dBm0 against u-law's reference) of a steady tone:
    the medians over 100 ms windows, so that one window with a gap (a frame lost or played twice) does
    not move the result"""
    if len(samples) < 800:
        return 0.0, -99.0
    per = sorted(measure_window(samples[i:i + 800]) for i in range(0, len(samples) - 799, 800))
    hz = sorted(p[0] for p in per)[len(per) // 2]
    level = sorted(p[1] for p in per)[len(per) // 2]
    return hz, level


def tone_power(samples, f):
    """the power of frequency f in the samples (Goertzel)"""
    c, s1, s2 = 2 * math.cos(2 * math.pi * f / 8000), 0.0, 0.0
    for x in samples:
        s1, s2 = x + c * s1 - s2, s1
    return s1 * s1 + s2 * s2 - c * s1 * s2


def goertzel_digits(samples, ref):
    """in-band DTMF digits of the audio, this script's own detector: (digit, ms) per key press"""
    rows, cols, keys = [697, 770, 852, 941], [1209, 1336, 1477, 1633], '123A456B789C*0#D'
    n, out, cur, run = 205, [], None, 0
    for i in range(0, len(samples) - n, n):
        blk = samples[i:i + n]
        pw = []
        for f in rows + cols:
            c, s1, s2 = 2 * math.cos(2 * math.pi * f / 8000), 0.0, 0.0
            for x in blk:
                s1, s2 = x + c * s1 - s2, s1
            pw.append(s1 * s1 + s2 * s2 - c * s1 * s2)
        tot = sum(x * x for x in blk) * n / 2 + 1
        r, c_ = max(range(4), key=lambda k: pw[k]), max(range(4, 8), key=lambda k: pw[k])
        amp = lambda p: 2 * math.sqrt(p) / n / math.sqrt(2) / ref
        d = keys[r * 4 + c_ - 4] if amp(pw[r]) > 0.03 and amp(pw[c_]) > 0.03 and (pw[r] + pw[c_]) > 0.6 * tot else None
        if d == cur:
            run += 1
        else:
            if cur and run >= 2:
                out.append((cur, run * n // 8))
            cur, run = d, 1
    if cur and run >= 2:
        out.append((cur, run * n // 8))
    return out


# ---- SIP (UDP): tests/gw/sipmsg.py ----

caller, um = Ep(CALLER_PORT, GW), Ep(UM_PORT, GW)


def invite(number, body, callid, cseq=1, totag='', ep=None, proto='UDP'):
    ep = ep or caller
    ep.send('INVITE sip:%s@127.0.0.1:%d;user=phone SIP/2.0\r\nVia: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK%s\r\n'
                'Max-Forwards: 70\r\nFrom: <sip:+15555551000@example.com>;tag=caller1\r\nTo: <sip:%s@example.com>%s\r\n'
                'Call-ID: %s\r\nCSeq: %d INVITE\r\nContact: <sip:c@127.0.0.1:%d>\r\nContent-Type: application/sdp\r\n'
                'Content-Length: %d\r\n\r\n%s' % (number, ep.gw[1], proto, CALLER_PORT, token(), number,
                                                  (';tag=' + totag) if totag else '', callid, cseq, CALLER_PORT,
                                                  len(body), body))


def request(method, callid, totag, cseq, number, ep=None, proto='UDP'):
    ep = ep or caller
    ep.send('%s sip:gw@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n'
            'From: <sip:+15555551000@example.com>;tag=caller1\r\nTo: <sip:%s@example.com>;tag=%s\r\nCall-ID: %s\r\n'
            'CSeq: %d %s\r\nContent-Length: 0\r\n\r\n' % (method, ep.gw[1], proto, CALLER_PORT, token(), number, totag,
                                                       callid, cseq, method))


def respond(ep, req, code, body='', totag='um1'):
    to = req.h('to') + ('' if ';tag=' in req.h('to') or code == 100 else ';tag=' + totag)
    vias = ''.join('Via: %s\r\n' % v for v in req.h('via', True))
    ep.send('SIP/2.0 %d X\r\n%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nContact: <sip:um@127.0.0.1:%d>\r\n'
            '%sContent-Length: %d\r\n\r\n%s' % (code, vias, req.h('from'), to, req.h('call-id'), req.h('cseq'), ep.port,
                                                'Content-Type: application/sdp\r\n' if body else '', len(body), body),
            req.addr)


def hang_up(cid, totag, number, ep=None, um_ep=None, proto='UDP'):
    """the caller's BYE (CSeq 3) through gwd, answered at the UM"""
    um_ep = um_ep or um
    request('BYE', cid, totag, 3, number, ep=ep, proto=proto)
    bye = um_ep.wait(lambda m: m.method == 'BYE', 5)
    if bye:
        respond(um_ep, bye, 200)
    (ep or caller).wait(lambda m: m.code == 200 and m.h('cseq').endswith('BYE'), 5)


def tone_each_way(a, b, what):
    """1004 Hz at -10 dBm0 from the caller's end a and the UM's end b at once: frequency and level at the
    other end, every packet through (none failed SRTP authentication)"""
    a.src, b.src = Tone(1004, -10, a.pt, start=0.3), Tone(1004, -10, b.pt)
    time.sleep(2.5)
    a.src = b.src = None
    time.sleep(0.3)
    for end, who in ((b, 'at the UM'), (a, 'at the caller')):
        samples, pk = end.audio(end.pt)
        hz, dbm0 = measure(samples[4000:12000])
        check(abs(hz - 1004) <= 2 and abs(dbm0 + 10) <= 1 and end.auth_fail == 0,
              '%s: 1004 Hz -10 dBm0 arrives %s as %.2f Hz %.2f dBm0 (%d packets, %d failed authentication)' %
              (what, who, hz, dbm0, len(pk), end.auth_fail))


class Call:
    """one call: the caller's RTP end and the UM's, set up through gwd"""
    ep, um_ep, proto = None, None, 'UDP'     # the caller's and the UM's SIP ends: caller and um

    def __init__(self, number, caller_pt, um_pt, early_ms=0, um_src=None):
        self.number, self.cid = number, token()
        self.a, self.b = Rtp(), Rtp()
        self.a.pt, self.b.pt = caller_pt, um_pt
        self.b.src = um_src
        self.ok = self.inv = None
        invite(number, self.a.sdp([caller_pt]), self.cid)
        self.inv = um.wait(lambda m: m.method == 'INVITE', 8)
        if not self.inv:
            return
        self.b.peer, _ = self.inv.media()
        respond(um, self.inv, 100)
        if early_ms:
            respond(um, self.inv, 183, self.b.sdp([um_pt]))
            self.early = caller.wait(lambda m: m.code == 183 and m.h('call-id') == self.cid, 5)
            if self.early:
                self.a.peer, _ = self.early.media()
            time.sleep(early_ms / 1000.0)
        respond(um, self.inv, 200, self.b.sdp([um_pt]))
        um.wait(lambda m: m.method == 'ACK', 5)
        self.ok = caller.wait(lambda m: m.code == 200 and m.h('call-id') == self.cid, 8)
        self.ok_time = time.time()
        if self.ok:
            self.a.peer, _ = self.ok.media()
            request('ACK', self.cid, self.ok.tag('to'), 1, number)

    def hangup(self):
        if self.ok:
            hang_up(self.cid, self.ok.tag('to'), self.number, self.ep, self.um_ep, self.proto)
        self.a.close()
        self.b.close()


def stream_checks(what, end, pt):
    pk = sorted((p for p in end.rx if p[3] == pt), key=lambda p: p[0])
    seqs = [p[1] for p in pk]
    gaps = sum(1 for x, y in zip(seqs, seqs[1:]) if (y - x) & 0xffff != 1)
    steps = set((y[2] - x[2]) & 0xffffffff for x, y in zip(pk, pk[1:]))
    arr = [y[0] - x[0] for x, y in zip(pk, pk[1:])]
    check(len(pk) > 50 and gaps == 0, '%s: %d packets, sequence numbers without a gap (%d gaps)' % (what, len(pk), gaps))
    check(steps == {160}, '%s: timestamps in steps of 160 (%s)' % (what, sorted(steps)[:4]))
    mean = sum(arr) / len(arr) if arr else 0
    # the cadence is asserted on average; the longest gap between arrivals depends on the machine's load
    # (make -j, an emulator) and is printed, asserted only against a stall (MEDIA_MAX_GAP_MS, default 500)
    check(arr and abs(mean - 0.020) < 0.002 and max(arr) < float(os.environ.get('MEDIA_MAX_GAP_MS', '500')) / 1000,
          '%s: a packet every %.1f ms on average (no stall)' % (what, mean * 1000))
    print('# %s: the longest gap between arrivals %.1f ms' % (what, max(arr or [0]) * 1000), flush=True)


def case_tone(spans=(('A-law ISUP', '+15550012001'), ('u-law NI2', '+15550032001')), codecs=((0, 8), (8, 0))):
    for law, number in spans:
        for cpt, upt in codecs:
            what = '%s, caller %s, UM %s' % (law, 'PCMU' if cpt == 0 else 'PCMA', 'PCMU' if upt == 0 else 'PCMA')
            c = Call(number, cpt, upt, um_src=Tone(1004, -10, upt))
            check(c.ok is not None, 'tone: %s: answered' % what)
            if not c.ok:
                c.hangup()
                continue
            c.a.src = Tone(1004, -10, cpt, start=0.5)
            time.sleep(2.5)
            c.a.src = None
            time.sleep(0.3)
            for end, pt, who in ((c.b, upt, 'at the UM'), (c.a, cpt, 'at the caller')):
                samples, pk = end.audio(pt)
                steady = [s for s in samples if True][-8000 - 2400:-2400] if who == 'at the UM' else samples[4000:12000]
                hz, dbm0 = measure(steady)
                check(abs(hz - 1004) <= 2 and abs(dbm0 + 10) <= 1,
                      'tone: %s: 1004 Hz -10 dBm0 arrives %s as %.2f Hz %.2f dBm0' % (what, who, hz, dbm0))
            stream_checks('tone: %s: caller -> UM' % what, c.b, upt)
            onset = next((p[0] for p in sorted(c.b.rx, key=lambda p: p[0]) if p[3] == upt and
                          max(abs(DEC[upt][x]) for x in p[5]) > 1000), None)
            if onset and c.a.sent_onset:
                print('# tone: %s: one-way latency caller -> UM %.1f ms (2 x SIP/RTP, TDM loopback, jitter buffer)' %
                      (what, (onset - c.a.sent_onset) * 1000), flush=True)
            c.hangup()


def case_dahdi():
    """the real DAHDI tier (tests/tdm/qemu/gwd_guest.sh, conf/dahdi/gateway.conf): the tone across the real
    B-channels of the ISUP pair and of the QSIG pair"""
    case_tone((('ISUP on DAHDI', '+15550012001'), ('QSIG on DAHDI', '+15550022001')), ((0, 8),))


def case_ptime30():
    """gwd with [sip] ptime = 30: its SDP says so and its packets carry 240 samples; the tone still passes
    both ways (the peers send 20 ms packets: the jitter buffer takes any size)"""
    c = Call('+15550012011', 0, 8, um_src=Tone(1004, -10, 8))
    check(c.ok is not None and 'a=ptime:30' in c.ok.body, 'ptime30: answered, gwd\'s SDP says a=ptime:30')
    if c.ok:
        c.a.src = Tone(1004, -10, 0, start=0.3)
        time.sleep(2.5)
        c.a.src = None
        for end, pt, who in ((c.b, 8, 'at the UM'), (c.a, 0, 'at the caller')):
            samples, pk = end.audio(pt)
            steps = set((y[2] - x[2]) & 0xffffffff for x, y in zip(pk, pk[1:]))
            hz, dbm0 = measure(samples[4000:-2000])
            check(steps == {240} and abs(hz - 1004) <= 2 and abs(dbm0 + 10) <= 1,
                  'ptime30: %s: packets of 240 samples (%s), 1004 Hz -10 dBm0 arrives as %.2f Hz %.2f dBm0' %
                  (who, sorted(steps)[:3], hz, dbm0))
    c.hangup()


def case_speech():
    c = Call('+15550012002', 8, 8)
    check(c.ok is not None, 'speech: answered')
    if c.ok:
        c.a.src = Speech(8)
        time.sleep(5.0)
        c.a.src = None
        time.sleep(0.3)
        stream_checks('speech: caller -> UM', c.b, 8)
        ev = c.b.events()
        check(not ev, 'speech: no DTMF digit made of 5 s of speech-like audio (talk-off): %s' % ev)
    c.hangup()


def case_dtmf():
    digits = '0123456789*#'
    c = Call('+15550012003', 0, 8)
    check(c.ok is not None, 'dtmf: answered')
    if c.ok:
        c.a.events_out = [(d, 100, 100) for d in digits]
        end = time.time() + 8
        while time.time() < end and len(c.b.events()) < len(digits):
            time.sleep(0.2)
        time.sleep(0.5)
        ev = c.b.events()
        got = ''.join(e[0] for e in ev)
        check(got == digits, 'dtmf: RFC 4733 %s in -> in-band on ISUP -> RFC 4733 %s out' % (digits, got))
        check(ev and all(60 <= e[1] <= 140 and e[2] for e in ev),
              'dtmf: each event ended, durations %s ms (sent 100)' % [e[1] for e in ev])
    c.hangup()
    c = Call('+15550019004', 8, 8)
    check(c.ok is not None, 'dtmf in-band: answered')
    if c.ok:
        c.a.events_out = [(d, 100, 100) for d in digits]
        time.sleep(len(digits) * 0.2 + 1.0)
        samples, _ = c.b.audio(8)
        got = goertzel_digits(samples, DBM0[8])
        check(''.join(d for d, _ in got) == digits and not c.b.events(),
              'dtmf in-band: toward a UM with dtmf = inband the digits stay tones in the audio: %s' % got)
    c.hangup()


def case_early():
    c = Call('+15550012005', 0, 0, early_ms=1500, um_src=Tone(1004, -10, 0))
    check(c.ok is not None and getattr(c, 'early', None) is not None, 'early: 183 with SDP reached the caller')
    before = [p for p in c.a.rx if p[0] < getattr(c, 'ok_time', 0) and p[3] == 0]
    samples = [DEC[0][b] for p in before for b in p[5]]
    hz, dbm0 = measure(samples[-4000:])
    check(len(before) > 20 and abs(hz - 1004) <= 2, 'early: the caller heard the UM\'s tone before the answer '
          '(%d packets, %.1f Hz %.1f dBm0)' % (len(before), hz, dbm0))
    c.hangup()
    # a UM that only rings (180 without SDP): no in-band information, the caller gets 180 without SDP
    cid = token()
    a = Rtp()
    invite('+15550012008', a.sdp([0]), cid)
    inv = um.wait(lambda m: m.method == 'INVITE', 8)
    if inv:
        respond(um, inv, 180)
    prov = []
    ring = caller.wait(lambda m: m.h('call-id') == cid and (prov.append(m) or m.code == 180), 5)
    check(ring is not None and not any(m.body.strip() for m in prov),
          'early: a UM that rings without SDP: the caller gets %s, none with SDP (it rings locally)' %
          [m.code for m in prov])
    if inv:
        respond(um, inv, 486)
        um.wait(lambda m: m.method == 'ACK', 3)
    r = caller.wait(lambda m: m.code >= 300 and m.h('call-id') == cid, 5)
    if r:
        caller.send('ACK sip:%s@127.0.0.1:%d SIP/2.0\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n'
                    'CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n' % ('+15550012008', GW[1], r.h('via'), r.h('from'),
                                                                   r.h('to'), cid))
    a.close()


def case_hold():
    c = Call('+15550012006', 0, 0, um_src=Tone(1004, -10, 0))
    check(c.ok is not None, 'hold: answered')
    if c.ok:
        time.sleep(0.5)
        invite(c.number, c.a.sdp([0], 'sendonly'), c.cid, cseq=2, totag=c.ok.tag('to'))
        r = caller.wait(lambda m: m.code == 200 and m.h('cseq').startswith('2 '), 5)
        check(r is not None and 'a=recvonly' in r.body, 'hold: re-INVITE sendonly answered recvonly')
        if r:
            request('ACK', c.cid, c.ok.tag('to'), 2, c.number)
        time.sleep(0.3)
        n0 = len(c.a.rx)
        time.sleep(1.0)
        check(len(c.a.rx) - n0 <= 1, 'hold: gwd sends nothing to a caller on hold (%d packets in 1 s)' % (len(c.a.rx) - n0))
        invite(c.number, c.a.sdp([0], 'sendrecv'), c.cid, cseq=4, totag=c.ok.tag('to'))
        r = caller.wait(lambda m: m.code == 200 and m.h('cseq').startswith('4 '), 5)
        if r:
            request('ACK', c.cid, c.ok.tag('to'), 4, c.number)
        n0 = len(c.a.rx)
        time.sleep(1.0)
        check(len(c.a.rx) - n0 >= 25, 'hold: resumed, RTP again (%d packets in 1 s)' % (len(c.a.rx) - n0))
        c.ok_cseq = 5
    request('BYE', c.cid, c.ok.tag('to') if c.ok else '', 5, c.number)
    bye = um.wait(lambda m: m.method == 'BYE', 5)
    if bye:
        respond(um, bye, 200)
    c.a.close()
    c.b.close()


def case_timeout():
    c = Call('+15550012007', 0, 0, um_src=Tone(1004, -10, 0))
    check(c.ok is not None, 'timeout: answered')
    if c.ok:
        c.a.sending = False
        t0 = time.time()
        bye = caller.wait(lambda m: m.method == 'BYE', 8)
        check(bye is not None and 'cause=41' in bye.h('reason'),
              'timeout: no RTP from the caller: BYE after %.1f s with %s' % (time.time() - t0, bye.h('reason') if bye else '-'))
        if bye:
            respond(caller, bye, 200)
        ubye = um.wait(lambda m: m.method == 'BYE', 5)
        check(ubye is not None, 'timeout: the UM side is released too')
        if ubye:
            respond(um, ubye, 200)
    c.a.close()
    c.b.close()


def case_hostile():
    """garbage and malformed RTP at gwd's port during a call, from the caller's address and from elsewhere:
    the call's audio goes on, nothing follows the stranger"""
    c = Call('+15550012009', 0, 0, um_src=Tone(1004, -10, 0))
    check(c.ok is not None, 'hostile: answered')
    if c.ok:
        c.a.src = Tone(1004, -10, 0)
        gw_rtp = c.ok.media()[0]
        rng, bad = random.Random(3), socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        bad.bind(('127.0.0.1', 0))
        junk = [b'', b'\x80', b'\x00' * 12, b'\x40' + b'\x00' * 20, bytes([0x8f]) + b'\x00' * 20,
                bytes([0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0xff, 0xff]),
                bytes([0xa0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 200]), bytes([0x80, 101, 0, 3]) + b'\x00' * 8 + b'\x05',
                bytes([0x80, 101, 0, 4]) + b'\x00' * 8 + bytes([200, 0x80, 0xff, 0xff])]
        for i in range(600):
            pkt = junk[i % len(junk)] if i < 300 else bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
            (c.a.s if i % 2 else bad).sendto(pkt, gw_rtp)
            if i % 50 == 0:
                time.sleep(0.02)
        # valid RTP from a stranger (the caller's SSRC, a loud 2 kHz tone): must not reach the UM
        # (its sequence numbers and timestamps a little ahead of the caller's: they would be played)
        loud = Tone(2000, 0, 0)
        for k in range(50):
            seq, ts = (c.a.seq + 3) & 0xffff, (c.a.ts + 3 * 160) & 0xffffffff
            pkt = bytes([0x80, 0, seq >> 8, seq & 0xff]) + ts.to_bytes(4, 'big') + \
                c.a.ssrc.to_bytes(4, 'big') + encode(0, loud.next(160))
            bad.sendto(pkt, gw_rtp)
            time.sleep(0.02)
        time.sleep(1.0)
        n0 = len(c.a.rx)
        time.sleep(1.0)
        check(len(c.a.rx) - n0 >= 25, 'hostile: RTP still reaches the caller, not the stranger (%d packets in 1 s)' %
              (len(c.a.rx) - n0))
        # the stranger's 2 kHz in any 100 ms window: its power there within 20 dB of the caller's 1004 Hz
        # (a frame lost or late under load cuts the tone but makes no 2 kHz; zero crossings would count it)
        samples, _ = c.b.audio(0)
        wins = [(tone_power(samples[i:i + 800], 2000), tone_power(samples[i:i + 800], 1004))
                for i in range(8000, len(samples) - 799, 800)]
        off = [w for w in wins if w[0] > w[1] / 100]
        check(wins and not off, 'hostile: nothing the stranger sent reached the UM (%d of %d windows with its 2 kHz%s)'
              % (len(off), len(wins), ''.join(': 2 kHz at %+.0f dB against 1004 Hz' % (10 * math.log10(max(w[0], 1e-9) / max(w[1], 1e-9)))
                                                for w in off[:3])))
        samples, _ = c.b.audio(0)
        hz, dbm0 = measure(samples[-8000:])
        check(abs(hz - 1004) <= 2 and abs(dbm0 + 10) <= 1, 'hostile: the caller\'s tone still arrives (%.1f Hz %.1f dBm0)'
              % (hz, dbm0))
        bad.close()
    c.hangup()


def pcap_write(path, dport, pkts):
    """datagrams (time, (src ip, src port), payload) to dport on 127.0.0.1 as a pcap of raw IPv4 (linktype 101)"""
    import struct
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        for t, src, data in pkts:
            udp = struct.pack('!HHHH', src[1], dport, 8 + len(data), 0) + data
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, socket.inet_aton(src[0]),
                             socket.inet_aton('127.0.0.1'))
            f.write(struct.pack('<IIII', int(t), int((t % 1) * 1e6), len(ip + udp), len(ip + udp)) + ip + udp)


def tshark(path, decode, fields, flt=''):
    import subprocess
    exe = os.environ.get('TSHARK') or 'tshark'
    cmd = [exe, '-r', path, '-T', 'fields'] + decode    # telephone-event 101 is tshark's default
    if flt:
        cmd += ['-Y', flt]
    for fl in fields:
        cmd += ['-e', fl]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None


def case_wire():
    """what gwd sends, decoded by tshark: RTP (PCMA), RFC 4733 events, RTCP SR with its report and CNAME"""
    import tempfile
    c = Call('+15550012010', 0, 8)
    check(c.ok is not None, 'wire: answered')
    if not c.ok:
        c.hangup()
        return
    c.a.src = Tone(1004, -10, 0)
    time.sleep(6.0)
    c.a.src = None
    c.a.events_out = [(d, 100, 100) for d in '159#']
    time.sleep(2.0)
    check(len(c.b.rtcp) >= 1 and len(c.a.rtcp) >= 1, 'wire: RTCP reports from gwd at both ends within 8 s '
          '(%d to the UM, %d to the caller)' % (len(c.b.rtcp), len(c.a.rtcp)))
    d = tempfile.mkdtemp(prefix='media-wire.')
    pcap_write(d + '/rtp.pcap', c.b.port, c.b.raw)
    pcap_write(d + '/rtcp.pcap', c.b.port + 1, c.b.rtcp)
    dec = ['-d', 'udp.port==%d,rtp' % c.b.port, '-d', 'udp.port==%d,rtcp' % (c.b.port + 1)]
    rtp = tshark(d + '/rtp.pcap', dec, ['rtp.p_type', 'rtp.seq', 'rtp.timestamp'], 'rtp.p_type == 8')
    if rtp is None:
        print('# wire: tshark not found: wire decode skipped', flush=True)
        c.hangup()
        return
    ev = tshark(d + '/rtp.pcap', dec, ['rtpevent.event_id', 'rtpevent.end_of_event', 'rtpevent.duration'],
                'rtpevent')
    sr = tshark(d + '/rtcp.pcap', dec, ['rtcp.pt', 'rtcp.senderssrc', 'rtcp.sender.packetcount',
                                        'rtcp.ssrc.fraction', 'rtcp.ssrc.cum_nr', 'rtcp.sdes.text'], 'rtcp')
    check(len(rtp) > 200, 'wire: tshark reads %d RTP packets of payload type 8 (PCMA) from gwd' % len(rtp))
    ids = []
    for line in ev or []:
        e = line.split('\t')
        if e[0] and (not ids or ids[-1] != e[0]):
            ids.append(e[0])
    check(ids == ['1', '5', '9', '11'], 'wire: tshark reads RFC 4733 events %s (1, 5, 9, #)' % ids)
    check(any(l.split('\t')[1:2] == ['1'] or '1' in l.split('\t')[1].split(',') for l in ev or [] if '\t' in l),
          'wire: and their end bits')
    first = sr[0].split('\t') if sr else []
    check(first and first[0].startswith('200') and int(first[2] or 0) > 0 and first[3] != '' and 'call' in first[-1],
          'wire: tshark reads an RTCP SR (pt %s) with packets sent %s, a report block, CNAME %s' %
          (first[0] if first else '-', first[2] if len(first) > 2 else '-', first[-1] if first else '-'))
    c.hangup()


def case_demo():
    """./quickstart demo: one call with a tone each way and five digits, told in words"""
    c = Call('+15550012001', 0, 8, um_src=Tone(697, -12, 8))
    if not c.ok:
        print('demo: the call was not answered')
        c.hangup()
        return
    print('the call is up: caller (PCMU, 127.0.0.1:%d) -> gwd -> ISUP B-channel (A-law) -> gwd -> UM (PCMA, 127.0.0.1:%d)'
          % (c.a.port, c.b.port), flush=True)
    c.a.src = Tone(1004, -10, 0, start=0.3)
    time.sleep(2.0)
    c.a.src = None
    c.a.events_out = [(d, 120, 120) for d in '1234#']
    time.sleep(2.0)
    samples, pk = c.b.audio(8)
    hz, dbm0 = measure(samples[-1000 - 8000 * 2:-1000 - 8000 * 1] if len(samples) > 26000 else samples[4000:12000])
    print('caller sent 1004 Hz at -10.0 dBm0; the UM heard %.1f Hz at %.1f dBm0 (%d RTP packets)' % (hz, dbm0, len(pk)))
    samples, pk = c.a.audio(0)
    hz, dbm0 = measure(samples[4000:12000])
    print('UM sent 697 Hz at -12.0 dBm0; the caller heard %.1f Hz at %.1f dBm0 (%d RTP packets)' % (hz, dbm0, len(pk)))
    ev = c.b.events()
    print('caller pressed 1 2 3 4 # (RFC 4733, 120 ms each); across the B-channel as tones; the UM got RFC 4733 %s' %
          ' '.join('%s(%d ms)' % (d, ms) for d, ms, _ in ev))
    c.hangup()


def case_bench():
    """figures, never asserted: BENCH_CALLS concurrent calls (default 20), each a 1004 Hz tone both ways for
    BENCH_SECONDS (default 10) from one sender thread with precomputed packets; loss and jitter at the far ends"""
    import select
    n, secs = int(os.environ.get('BENCH_CALLS', '20')), float(os.environ.get('BENCH_SECONDS', '10'))
    tone = Tone(1004, -10, 0)
    frames = [encode(0, tone.next(160)) for _ in range(50)]     # 1 s of tone, a whole number of periods
    calls = []
    for i in range(n):
        c = Call('+155500120%02d' % (10 + i % 90), 0, 0)
        for end in (c.a, c.b):
            end.stop = True          # this mode sends and receives by itself
        calls.append(c)
    for c in calls:
        for th in c.a.threads + c.b.threads:
            th.join(1)
    ends = [e for c in calls if c.ok for e in (c.a, c.b)]
    for e in ends:
        e.s.setblocking(False)
        e.st = {'n': 0, 'gaps': 0, 'last': None, 'transit': None, 'jitter': 0.0}
    pid = int(os.environ.get('GWD_PID', '0'))

    def cpu():
        if not pid:
            return 0.0
        with open('/proc/%d/stat' % pid) as f:
            v = f.read().split(')')[-1].split()
        return (int(v[11]) + int(v[12])) / os.sysconf('SC_CLK_TCK')

    cpu0, t0, k, stop = cpu(), time.monotonic(), 0, time.monotonic() + secs
    byfd = {e.s.fileno(): e for e in ends}
    while time.monotonic() < stop:
        k += 1
        for e in ends:
            e.s.sendto(e.packet(0, frames[k % 50], k == 1), e.peer)
            e.ts = (e.ts + 160) & 0xffffffff
        while True:
            wait = t0 + k * 0.020 - time.monotonic()
            r, _, _ = select.select(list(byfd), [], [], max(0, wait))
            for fd in r:
                e = byfd[fd]
                while True:
                    try:
                        data = e.s.recv(2048)
                    except BlockingIOError:
                        break
                    now, st = time.monotonic() * 8000, e.st
                    seq, ts = int.from_bytes(data[2:4], 'big'), int.from_bytes(data[4:8], 'big')
                    if st['last'] is not None and (seq - st['last']) & 0xffff != 1:
                        st['gaps'] += ((seq - st['last'] - 1) & 0xffff) if (seq - st['last']) & 0xffff < 1000 else 0
                    st['last'], st['n'] = seq, st['n'] + 1
                    transit = now - ts
                    if st['transit'] is not None:
                        d = abs(transit - st['transit'])
                        if d < 8000:
                            st['jitter'] += (d - st['jitter']) / 16
                    st['transit'] = transit
            if wait <= 0:
                break
    used = cpu() - cpu0
    got = sum(e.st['n'] for e in ends)
    lost = sum(e.st['gaps'] for e in ends)
    jit = sorted(e.st['jitter'] / 8 for e in ends)
    print('# media bench: %d calls (%d RTP streams each way through gwd and the ISUP B-channels), %.0f s' %
          (len([c for c in calls if c.ok]), len(ends), secs))
    print('#   packets received %d, lost %d (%.3f %%), jitter median %.2f ms, worst %.2f ms' %
          (got, lost, 100.0 * lost / max(1, got + lost), jit[len(jit) // 2] if jit else 0, jit[-1] if jit else 0))
    print('#   gwd CPU %.2f s for %.0f s of %d calls: %.2f %% of a core per call (%.1f us per packet relayed)' %
          (used, secs, len(calls), 100.0 * used / secs / max(1, len(calls)), 1e6 * used / max(1, got)))
    for c in calls:
        c.a.stop = c.b.stop = True
        c.hangup()


def case_late():
    """an INVITE without SDP: gwd offers in its 200, the caller answers in the ACK; the tone both ways"""
    a, b = Rtp(), Rtp()
    a.pt, b.pt, cid, number = 0, 8, token(), '+15550012011'
    caller.send('INVITE sip:%s@127.0.0.1:%d;user=phone SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n'
                'Max-Forwards: 70\r\nFrom: <sip:+15555551000@example.com>;tag=caller1\r\nTo: <sip:%s@example.com>\r\n'
                'Call-ID: %s\r\nCSeq: 1 INVITE\r\nContact: <sip:c@127.0.0.1:%d>\r\nContent-Length: 0\r\n\r\n' %
                (number, GW[1], CALLER_PORT, token(), number, cid, CALLER_PORT))
    inv = um.wait(lambda m: m.method == 'INVITE', 8)
    check(inv is not None, 'late: the call reaches the UM')
    if inv:
        b.peer, _ = inv.media()
        respond(um, inv, 100)
        respond(um, inv, 200, b.sdp([8]))
        um.wait(lambda m: m.method == 'ACK', 5)
    ok = caller.wait(lambda m: m.code == 200 and m.h('call-id') == cid, 8)
    check(ok is not None and ok.media()[0] is not None and {0, 8} <= set(ok.media()[1]),
          'late: gwd\'s 200 carries the offer (%s)' % (ok.media()[1] if ok else '-'))
    if ok:
        body = a.sdp([0])
        caller.send('ACK sip:gw@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n'
                    'Max-Forwards: 70\r\nFrom: <sip:+15555551000@example.com>;tag=caller1\r\nTo: %s\r\nCall-ID: %s\r\n'
                    'CSeq: 1 ACK\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s' %
                    (GW[1], CALLER_PORT, token(), ok.h('to'), cid, len(body), body))
        a.peer, _ = ok.media()
        tone_each_way(a, b, 'late: the answer in the ACK')
        hang_up(cid, ok.tag('to'), number)
    a.close()
    b.close()


# ---- SRTP (RFC 3711) with SDES keys (RFC 4568): TLS legs only ----

class SecCall(Call):
    """a call whose SIP legs may carry SDES keys: the caller on ep (TLS, TCP or UDP) offers profile with
    a key of suite (or none); the UM on um_ep answers with a key of its own (um_srtp) or plain RTP"""

    def __init__(self, number, ep, proto, um_ep, suite='AES_CM_128_HMAC_SHA1_80', profile='RTP/SAVP', key=True,
                 um_srtp=True):
        self.number, self.cid, self.ep, self.proto, self.um_ep = number, token(), ep, proto, um_ep
        self.a, self.b = Rtp(), Rtp()
        self.a.pt, self.b.pt = 0, 8
        self.ok = self.inv = self.final = None
        self.akey = new_key()
        crypto = [sdes_crypto_line(1, suite, self.akey)] if key else []
        if key:
            self.a.tx_srtp = Srtp(self.akey, suite)
        invite(number, self.a.sdp([0], profile=profile, crypto=crypto), self.cid, ep=ep, proto=proto)
        if um_ep is None:
            self.final = ep.wait(lambda m: m.code >= 200 and m.h('call-id') == self.cid, 8)
            return
        self.inv = um_ep.wait(lambda m: m.method == 'INVITE', 8)
        if not self.inv:
            self.final = ep.wait(lambda m: m.code >= 200 and m.h('call-id') == self.cid, 5)
            return
        respond(um_ep, self.inv, 100)
        offered = self.inv.crypto()
        if um_srtp and offered:
            tag, st, gwkey = sdes_parse(offered[0])
            self.bkey = new_key()
            self.b.keyed, self.b.rx_srtp, self.b.tx_srtp = True, Srtp(gwkey, st), Srtp(self.bkey, st)
            body = self.b.sdp([8], profile=self.inv.profile(), crypto=[sdes_crypto_line(tag, st, self.bkey)])
        else:
            body = self.b.sdp([8])
        self.b.peer, _ = self.inv.media()
        respond(um_ep, self.inv, 200, body)
        um_ep.wait(lambda m: m.method == 'ACK', 5)
        self.final = self.ok = ep.wait(lambda m: m.code >= 200 and m.h('call-id') == self.cid, 8)
        if self.ok and self.ok.code != 200:
            self.ok = None
        if self.ok:
            got = self.ok.crypto()
            if got and key:
                _, st, k = sdes_parse(got[0])
                self.a.keyed, self.a.rx_srtp = True, Srtp(k, st)
            self.a.peer, _ = self.ok.media()
            request('ACK', self.cid, self.ok.tag('to'), 1, number, ep=ep, proto=proto)



def srtp_tone(c, what, a_tag, b_tag):
    """a tone each way over a call with SRTP on the legs said; every packet authenticated, the payload
    on the wire is not the tone in clear"""
    tone_each_way(c.a, c.b, what)
    for end, pt, who, tag in ((c.b, 8, 'at the UM', b_tag), (c.a, 0, 'at the caller', a_tag)):
        sizes = set(len(r[2]) for r in end.raw[-50:])
        check(sizes == {172 + tag}, '%s: packets %s are %s octets: 12 + 160 + a %d-octet tag' % (what, who, sorted(sizes), tag))
        if tag:
            clear = [DEC[pt][b] for r in end.raw[-100:-20] for b in r[2][12:172]]
            hz2, _ = measure(clear)
            check(abs(hz2 - 1004) > 50, '%s: %s the payload on the wire is not the tone in clear (reads as %.0f Hz)' %
                  (what, who, hz2))


def case_srtp():
    certs = os.environ.get('MEDIA_CERTS', '')
    gwtls, umreq, umopt, gwtcp = [int(x) for x in os.environ['MEDIA_TLS'].split(':')]

    def tls(who):
        return {'cert': '%s/%s.pem' % (certs, who), 'key': '%s/%s.key' % (certs, who), 'ca': certs + '/ca.pem',
                'name': 'gw.test'}
    tcaller = StreamEp(0, ('127.0.0.1', gwtls), tls('pbx'))
    ureq, uopt = StreamEp(umreq, GW, tls('um')), StreamEp(umopt, GW, tls('um'))
    tcp = StreamEp(0, ('127.0.0.1', gwtcp))

    # 1. RTP/SAVP over TLS, 32-bit tags toward the caller; the TLS UM with srtp = required gets RTP/SAVP
    c = SecCall('+15550018001', tcaller, 'TLS', ureq, suite='AES_CM_128_HMAC_SHA1_32')
    inv_cr = c.inv.crypto() if c.inv else []
    check(c.inv is not None and c.inv.profile() == 'RTP/SAVP' and len(inv_cr) == 1 and
          ' AES_CM_128_HMAC_SHA1_80 inline:' in inv_cr[0] and sdes_parse(inv_cr[0])[2] != c.akey,
          'srtp: the UM (srtp = required) is offered RTP/SAVP with a key of gwd\'s own: %s' %
          (inv_cr[0].split('inline:')[0] if inv_cr else '-'))
    ok_cr = c.ok.crypto() if c.ok else []
    check(c.ok is not None and c.ok.profile() == 'RTP/SAVP' and len(ok_cr) == 1 and
          ok_cr[0].startswith('1 AES_CM_128_HMAC_SHA1_32 inline:') and sdes_parse(ok_cr[0])[2] != c.akey,
          'srtp: the TLS caller\'s RTP/SAVP offer is answered RTP/SAVP, its tag and suite, another key: %s' %
          (ok_cr[0].split('inline:')[0] if ok_cr else '-'))
    if c.ok:
        srtp_tone(c, 'srtp: SAVP both legs', 4, 10)
        t0 = time.time()
        while time.time() - t0 < 8 and not (c.b.rtcp_plain and c.a.rtcp_plain):
            time.sleep(0.2)
        w = c.b.rtcp[-1][2] if c.b.rtcp else b''
        check(c.b.rtcp_plain and c.a.rtcp_plain and c.b.rtcp_plain[-1][1] in (200, 201) and len(w) >= 22 and
              w[-14] & 0x80, 'srtp: SRTCP from gwd at both ends: E flag and index, authenticated, decrypted to '
              'RTCP type %s' % (c.b.rtcp_plain[-1][1] if c.b.rtcp_plain else '-'))
        # hold: the re-INVITE carries our key again; gwd answers with the same key of its own
        invite(c.number, c.a.sdp([0], 'sendonly', 'RTP/SAVP', [sdes_crypto_line(1, 'AES_CM_128_HMAC_SHA1_32', c.akey)]),
               c.cid, cseq=2, totag=c.ok.tag('to'), ep=tcaller, proto='TLS')
        r = tcaller.wait(lambda m: m.code == 200 and m.h('cseq').startswith('2 '), 5)
        check(r is not None and 'a=recvonly' in r.body and r.crypto() and
              sdes_parse(r.crypto()[0])[2] == sdes_parse(ok_cr[0])[2],
              'srtp: re-INVITE (hold) answered recvonly with the same key of gwd\'s')
        if r:
            request('ACK', c.cid, c.ok.tag('to'), 2, c.number, ep=tcaller, proto='TLS')
    c.hangup()

    # 2. best effort: RTP/AVP with a=crypto from the TLS caller; the UM with srtp = optional is offered the
    #    same way and answers plain RTP: SRTP on the caller's leg, RTP on the UM's
    c = SecCall('+15550017001', tcaller, 'TLS', uopt, profile='RTP/AVP', um_srtp=False)
    check(c.inv is not None and c.inv.profile() == 'RTP/AVP' and len(c.inv.crypto()) == 1,
          'srtp: the UM (srtp = optional) is offered RTP/AVP with a=crypto (best effort)')
    check(c.ok is not None and c.ok.profile() == 'RTP/AVP' and len(c.ok.crypto()) == 1,
          'srtp: a best-effort offer over TLS is answered RTP/AVP with a key: SRTP')
    if c.ok:
        srtp_tone(c, 'srtp: best effort, the UM plain', 10, 0)
    c.hangup()

    # 3. never SDES keys over a leg that is not TLS
    c = SecCall('+15550012021', caller, 'UDP', None)
    check(c.final is not None and c.final.code == 488 and 'TLS' in c.final.h('warning'),
          'srtp: RTP/SAVP with a key over UDP: %s (%s)' % (c.final.code if c.final else '-',
                                                           c.final.h('warning') if c.final else ''))
    c.a.close()
    c.b.close()
    c = SecCall('+15550012022', tcp, 'TCP', None)
    check(c.final is not None and c.final.code == 488 and 'TLS' in c.final.h('warning'),
          'srtp: RTP/SAVP with a key over TCP: %s' % (c.final.code if c.final else '-'))
    c.a.close()
    c.b.close()
    c = SecCall('+15550012023', caller, 'UDP', um, profile='RTP/AVP', um_srtp=False)
    check(c.ok is not None and c.ok.profile() == 'RTP/AVP' and not c.ok.crypto() and c.inv is not None and
          not c.inv.crypto(), 'srtp: RTP/AVP with a key over UDP: answered plain, no key in either direction')
    c.hangup()

    # 4. srtp = required and the UM answers plain RTP: released, cause 88
    c = SecCall('+15550018002', tcaller, 'TLS', ureq, um_srtp=False)
    bye = ureq.wait(lambda m: m.method == 'BYE', 5)
    if bye:
        respond(ureq, bye, 200)
    fin = c.final if c.final and c.final.code >= 300 else tcaller.wait(
        lambda m: m.h('call-id') == c.cid and (m.code >= 300 or m.method == 'BYE'), 5)
    check(bye is not None and 'cause=88' in bye.h('reason') and fin is not None,
          'srtp: the required UM answered plain RTP: BYE (%s), the caller released (%s)' %
          (bye.h('reason') if bye else '-', (fin.code or fin.method) if fin else '-'))
    if fin and fin.method == 'BYE':
        respond(tcaller, fin, 200)
    c.a.close()
    c.b.close()
    for e in (tcaller, ureq, uopt, tcp):
        e.close()


for case in CASES:
    globals()['case_' + case]()
    time.sleep(0.3)
if CASES not in (['demo'], ['bench']):
    print('media_peer: %d passed, %d failed' % (Tally.passed, Tally.failed), flush=True)
sys.exit(1 if Tally.failed else 0)
